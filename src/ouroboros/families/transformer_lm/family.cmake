# transformer_lm trains a GPT-style transformer with libtorch (Debian's libtorch-dev) and tokenises with
# SentencePiece (libsentencepiece-dev). Both are this family's own dependencies: a build with
# -DOUROBOROS_FAMILY_TRANSFORMER_LM=OFF (the sanitizer builds: libtorch is not instrumented) needs neither.
# It is one of OUROBOROS_OPTIONAL_FAMILIES (CMakeLists.txt): the suite runs without it.
#
# Neither library is linked into the programs: each lives in a module loaded at first use (gpt.hpp,
# spm_backend.hpp say why), so a program start that runs no transformer does not pay libtorch's 0.6 s load.
find_package(Torch REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(SENTENCEPIECE REQUIRED IMPORTED_TARGET sentencepiece)
list(REMOVE_ITEM OUROBOROS_FAMILY_SOURCES ${dir}/spm_module.cpp ${dir}/gpt_torch.cpp ${dir}/gpt_sampling.cpp)
foreach(module spm torch)
  set(target ouroboros_${module})
  if(module STREQUAL "spm")
    add_library(${target} MODULE ${dir}/spm_module.cpp)
    target_link_libraries(${target} PRIVATE PkgConfig::SENTENCEPIECE)
  else()
    add_library(${target} MODULE ${dir}/gpt_torch.cpp ${dir}/gpt_sampling.cpp)
    target_link_libraries(${target} PRIVATE ${TORCH_LIBRARIES} Boost::headers)
  endif()
  target_include_directories(${target} PRIVATE ${CMAKE_SOURCE_DIR}/src ${RANDOM123_INCLUDE_DIR})
  list(APPEND OUROBOROS_FAMILY_DEPENDS ${target})
endforeach()
set_source_files_properties(${dir}/tokenizer.cpp PROPERTIES
  COMPILE_DEFINITIONS "OUROBOROS_SPM_MODULE_PATH=\"$<TARGET_FILE:ouroboros_spm>\"")
set_source_files_properties(${dir}/gpt.cpp PROPERTIES
  COMPILE_DEFINITIONS "OUROBOROS_TORCH_MODULE_PATH=\"$<TARGET_FILE:ouroboros_torch>\"")
