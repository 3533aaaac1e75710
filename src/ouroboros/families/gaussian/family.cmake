# gaussian(estimator=optimized) maximises the likelihood numerically with NLopt (Nelder-Mead); no other family
# needs NLopt, so a build without this family does not look for it.
find_package(NLopt REQUIRED)
ouroboros_family_link(NLopt::nlopt)
