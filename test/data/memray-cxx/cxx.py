# Loads the C++ library with ctypes and lets it allocate (see README.md).
import ctypes

lib = ctypes.CDLL("/tmp/heaptrail-fixtures/libheaptrail_cxx.so")
lib.heaptrail_run.argtypes = [ctypes.c_size_t]


def allocate(scale):
    lib.heaptrail_run(scale)


def main():
    allocate(1_000_000)
    lib.heaptrail_release()
    allocate(250_000)


main()
