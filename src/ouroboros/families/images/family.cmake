# The image families (vae, diffusion) train their networks and the LeNet classifier of their image metrics with libtorch
# (Debian's libtorch-dev). The torch code is one module loaded at first use (vision.hpp says why), so the programs do
# not link libtorch. One of OUROBOROS_OPTIONAL_FAMILIES (CMakeLists.txt): a build with -DOUROBOROS_FAMILY_IMAGES=OFF
# (the sanitizer builds: libtorch is not instrumented) needs no libtorch, and the suite runs without these families.
find_package(Torch REQUIRED)
list(REMOVE_ITEM OUROBOROS_FAMILY_SOURCES ${dir}/vision_torch.cpp)
add_library(ouroboros_vision MODULE ${dir}/vision_torch.cpp)
target_link_libraries(ouroboros_vision PRIVATE ${TORCH_LIBRARIES} Boost::headers)
target_include_directories(ouroboros_vision PRIVATE ${CMAKE_SOURCE_DIR}/src ${RANDOM123_INCLUDE_DIR})
list(APPEND OUROBOROS_FAMILY_DEPENDS ouroboros_vision)
set_source_files_properties(${dir}/vision.cpp PROPERTIES
  COMPILE_DEFINITIONS "OUROBOROS_VISION_MODULE_PATH=\"$<TARGET_FILE:ouroboros_vision>\"")
