# Layer rules checked when the build is configured: a target that links a library of a layer it
# must not see fails the configure step, naming the path of links that brought it in
# (docs/ARCHITECTURE.md, "Layers").

# Collects into ${out} every target reachable from ${target} through link dependencies, each as
# "name|path" where path is the chain of links from ${target}.
function(_amend_link_closure target path out)
  set(result "")
  if(NOT TARGET ${target})
    set(${out} "" PARENT_SCOPE)
    return()
  endif()
  get_target_property(type ${target} TYPE)
  set(deps "")
  if(NOT type STREQUAL "INTERFACE_LIBRARY")
    get_target_property(direct ${target} LINK_LIBRARIES)
    if(direct)
      list(APPEND deps ${direct})
    endif()
  endif()
  get_target_property(interface ${target} INTERFACE_LINK_LIBRARIES)
  if(interface)
    list(APPEND deps ${interface})
  endif()
  list(REMOVE_DUPLICATES deps)
  foreach(dep IN LISTS deps)
    # Only Amend's own libraries carry layer rules; imported packages end the walk.
    if(TARGET ${dep} AND dep MATCHES "^amend_")
      list(APPEND result "${dep}|${path} -> ${dep}")
      _amend_link_closure(${dep} "${path} -> ${dep}" sub)
      list(APPEND result ${sub})
    endif()
  endforeach()
  set(${out} "${result}" PARENT_SCOPE)
endfunction()

# amend_forbid_links(TARGET t LIBRARIES a b ...): fails the configure step if t links any of the
# libraries, directly or through another library.
function(amend_forbid_links)
  cmake_parse_arguments(ARG "" "TARGET" "LIBRARIES" ${ARGN})
  # A misspelt or switched-off target would otherwise pass every rule.
  if(NOT TARGET ${ARG_TARGET})
    message(FATAL_ERROR "amend_forbid_links: no target ${ARG_TARGET}")
  endif()
  foreach(library IN LISTS ARG_LIBRARIES)
    if(NOT TARGET ${library})
      message(FATAL_ERROR "amend_forbid_links: no library ${library}")
    endif()
  endforeach()
  _amend_link_closure(${ARG_TARGET} "${ARG_TARGET}" closure)
  foreach(entry IN LISTS closure)
    string(REPLACE "|" ";" parts "${entry}")
    list(GET parts 0 name)
    list(GET parts 1 chain)
    if(name IN_LIST ARG_LIBRARIES)
      message(FATAL_ERROR "Layer rule broken: ${ARG_TARGET} must not link ${name}, but links it "
                          "through ${chain} (docs/ARCHITECTURE.md, Layers)")
    endif()
  endforeach()
endfunction()
