# xtgrad_add_module(<name> SOURCES ... HEADERS ... [PUBLIC_DEPS ...] [PRIVATE_DEPS ...])
#
# Builds one module folder (tensor/, autograd/, ...) as the library target xtgrad_<name>
# with the alias xtgrad::<name>. Headers sit beside the sources and are included as
# "<name>/<header>.hpp" (or "<name>/<folder>/<header>.hpp"), in the tree and after install
# alike (installed under include/xtgrad/).
function(xtgrad_add_module name)
  cmake_parse_arguments(M "" "" "SOURCES;HEADERS;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  set(target xtgrad_${name})
  add_library(${target} ${M_SOURCES} ${M_HEADERS})
  add_library(xtgrad::${name} ALIAS ${target})
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${name} POSITION_INDEPENDENT_CODE ON)
  target_include_directories(${target} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/xtgrad>)
  target_link_libraries(${target} PUBLIC ${M_PUBLIC_DEPS} PRIVATE ${M_PRIVATE_DEPS})
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
  xtgrad_use_xsimd(${target})
  install(TARGETS ${target} EXPORT xtgradTargets
          ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
          LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
  foreach(header IN LISTS M_HEADERS)
    get_filename_component(folder "${header}" DIRECTORY)
    install(FILES ${header} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/xtgrad/${name}/${folder})
  endforeach()
endfunction()

# Vectorises a target's xtensor code with xsimd, for the level XTGRAD_ARCH chose.
function(xtgrad_use_xsimd target)
  if(XTGRAD_USE_XSIMD)
    # A compile definition only (XTENSOR_USE_XSIMD): kept out of the exported link interface,
    # where a consumer without xsimd would not find the target.
    target_link_libraries(${target} PRIVATE $<BUILD_INTERFACE:xtensor::use_xsimd>)
    # GCC 12 reports AVX-512 intrinsics as using uninitialised values (a false positive,
    # GCC bug 105593); those two warnings would drown real ones.
    target_compile_options(${target} PRIVATE -Wno-uninitialized
                                             $<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized>)
  endif()
endfunction()
