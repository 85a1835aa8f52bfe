# kmmtrace: the eBPF capture tool, built the libbpf-bootstrap way:
#   vmlinux.h  <- bpftool btf dump file /sys/kernel/btf/vmlinux format c
#                 (or the vendored trace/vmlinux/vmlinux_fallback.h)
#   kmmtrace.bpf.o  <- clang -target bpf
#   kmmtrace.skel.h <- bpftool gen skeleton
# Optional: KMM_TRACE_BPF=AUTO builds it when clang, bpftool and libbpf are
# found and says what is missing otherwise; ON requires them; OFF skips it.
set(KMM_TRACE_BPF AUTO CACHE STRING "Build kmmtrace (eBPF): AUTO, ON or OFF")
set(KMM_TRACE_VMLINUX AUTO CACHE STRING
    "vmlinux.h for kmmtrace: AUTO (running kernel's BTF, else fallback), FALLBACK, or a path")

set(KMMTRACE_BUILT OFF PARENT_SCOPE)
if(KMM_TRACE_BPF STREQUAL "OFF")
  message(STATUS "kmmtrace: not built (KMM_TRACE_BPF=OFF)")
  return()
endif()

find_program(KMM_BPF_CLANG NAMES clang clang-18 clang-17 clang-16 clang-15 clang-14)
find_program(KMM_BPFTOOL NAMES bpftool PATHS /usr/sbin /usr/local/sbin /sbin)
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(LIBBPF QUIET libbpf>=0.8)
endif()

set(missing "")
if(NOT KMM_BPF_CLANG)
  list(APPEND missing "clang")
else()
  execute_process(COMMAND ${KMM_BPF_CLANG} --version OUTPUT_VARIABLE _v ERROR_QUIET)
  string(REGEX MATCH "clang version ([0-9]+)" _m "${_v}")
  if(NOT CMAKE_MATCH_1 OR CMAKE_MATCH_1 LESS 10)
    list(APPEND missing "clang>=10")
  endif()
endif()
if(NOT KMM_BPFTOOL)
  list(APPEND missing "bpftool")
endif()
if(NOT LIBBPF_FOUND)
  list(APPEND missing "libbpf>=0.8 (pkg-config libbpf)")
endif()
if(missing)
  if(KMM_TRACE_BPF STREQUAL "ON")
    message(FATAL_ERROR "kmmtrace: KMM_TRACE_BPF=ON but missing: ${missing} "
                        "(scripts/deps.sh trace installs them)")
  endif()
  message(STATUS "kmmtrace: not built, missing: ${missing} "
                 "(scripts/deps.sh trace installs them; the live test will skip)")
  return()
endif()

if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|amd64|i.86")
  set(bpf_arch x86)
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "aarch64|arm64")
  set(bpf_arch arm64)
else()
  string(TOLOWER "${CMAKE_SYSTEM_PROCESSOR}" bpf_arch)
endif()

set(vmdir ${CMAKE_CURRENT_BINARY_DIR}/vmlinux)
file(MAKE_DIRECTORY ${vmdir})
set(vmlinux_h ${vmdir}/vmlinux.h)
if(KMM_TRACE_VMLINUX STREQUAL "AUTO" AND EXISTS /sys/kernel/btf/vmlinux)
  add_custom_command(OUTPUT ${vmlinux_h}
    COMMAND sh -c "'${KMM_BPFTOOL}' btf dump file /sys/kernel/btf/vmlinux format c > '${vmlinux_h}.tmp' && mv '${vmlinux_h}.tmp' '${vmlinux_h}'"
    COMMENT "kmmtrace: vmlinux.h from the running kernel's BTF"
    VERBATIM)
  set(vmlinux_from "the running kernel's BTF")
else()
  if(KMM_TRACE_VMLINUX STREQUAL "AUTO" OR KMM_TRACE_VMLINUX STREQUAL "FALLBACK")
    set(vm_src ${CMAKE_CURRENT_SOURCE_DIR}/vmlinux/vmlinux_fallback.h)
    set(vmlinux_from "the vendored fallback")
  else()
    set(vm_src ${KMM_TRACE_VMLINUX})
    set(vmlinux_from "${KMM_TRACE_VMLINUX}")
  endif()
  add_custom_command(OUTPUT ${vmlinux_h}
    COMMAND ${CMAKE_COMMAND} -E copy ${vm_src} ${vmlinux_h}
    DEPENDS ${vm_src}
    COMMENT "kmmtrace: vmlinux.h from ${vmlinux_from}"
    VERBATIM)
endif()

set(bpf_obj ${CMAKE_CURRENT_BINARY_DIR}/kmmtrace.bpf.o)
set(bpf_skel ${CMAKE_CURRENT_BINARY_DIR}/kmmtrace.skel.h)
set(bpf_incs "")
foreach(d ${LIBBPF_INCLUDE_DIRS})
  list(APPEND bpf_incs -I${d})
endforeach()
add_custom_command(OUTPUT ${bpf_obj}
  COMMAND ${KMM_BPF_CLANG} -g -O2 -target bpf -D__TARGET_ARCH_${bpf_arch}
          -Wall -Werror -Wno-unused-function
          -I${vmdir} -I${CMAKE_CURRENT_SOURCE_DIR} ${bpf_incs}
          -c ${CMAKE_CURRENT_SOURCE_DIR}/kmmtrace.bpf.c -o ${bpf_obj}
  DEPENDS kmmtrace.bpf.c kmmtrace.h ${vmlinux_h}
  COMMENT "kmmtrace: BPF object"
  VERBATIM)
add_custom_command(OUTPUT ${bpf_skel}
  COMMAND sh -c "'${KMM_BPFTOOL}' gen skeleton '${bpf_obj}' name kmmtrace_bpf > '${bpf_skel}.tmp' && mv '${bpf_skel}.tmp' '${bpf_skel}'"
  DEPENDS ${bpf_obj}
  COMMENT "kmmtrace: skeleton"
  VERBATIM)

add_executable(kmmtrace kmmtrace.c ${bpf_skel})
target_include_directories(kmmtrace PRIVATE ${CMAKE_CURRENT_BINARY_DIR} ${LIBBPF_INCLUDE_DIRS})
target_link_libraries(kmmtrace kmmtrace_format ${LIBBPF_LINK_LIBRARIES})
set(KMMTRACE_BUILT ON PARENT_SCOPE)
message(STATUS "kmmtrace: built (vmlinux.h from ${vmlinux_from}, ${KMM_BPFTOOL})")
