// A small C++ library for the native golden with C++ frames (see README.md): namespaces,
// class and function templates, a lambda, an anonymous namespace, an operator and an inlined
// call, each allocating with malloc so memray records the C++ frames on the way.
#include <cstddef>
#include <cstdlib>
#include <cstring>

namespace pocketfft {
namespace detail {

template <typename T> struct cmplx {
  T r, i;
};

template <typename T> class arr {
 public:
  explicit arr(std::size_t n) : p_(static_cast<T *>(std::malloc(n * sizeof(T)))), size_(n) {
    std::memset(p_, 0, n * sizeof(T));
  }
  T *release() { return p_; }
  std::size_t size() const { return size_; }

 private:
  T *p_;
  std::size_t size_;
};

template <typename T0> class pocketfft_r {
 public:
  explicit pocketfft_r(std::size_t length) : length_(length) {}
  template <typename T> __attribute__((noinline)) T *exec(T fct, bool forward) const {
    arr<T> buffer(length_);
    T *out = buffer.release();
    for (std::size_t k = 0; k < length_; ++k) out[k] = forward ? fct * static_cast<T>(k) : fct;
    return out;
  }

 private:
  std::size_t length_;
};

template <typename T> __attribute__((noinline)) cmplx<T> *pass2(std::size_t ido) {
  arr<cmplx<T>> ch(ido);
  return ch.release();
}

}  // namespace detail
}  // namespace pocketfft

namespace cache {

template <class K, class V> struct Table {
  struct Slot {
    K key;
    V value;
  };
  __attribute__((noinline)) Slot *grow(std::size_t slots) { return static_cast<Slot *>(std::calloc(slots, sizeof(Slot))); }
  Slot *operator[](std::size_t slots) { return grow(slots); }
};

}  // namespace cache

namespace {
__attribute__((noinline)) void *scratch(std::size_t n) {
  auto make = [n](std::size_t extra) __attribute__((noinline)) { return std::malloc(n + extra); };
  return make(16);
}
}  // namespace

extern "C" {
// Kept so the bytes stay live at the peak; freed by heaptrail_release.
static void *kept[8];

void heaptrail_run(std::size_t scale) {
  pocketfft::detail::pocketfft_r<double> rd(scale);
  kept[0] = rd.exec<double>(2.0, true);
  pocketfft::detail::pocketfft_r<float> rf(scale / 2);
  kept[1] = rf.exec<float>(1.5f, false);
  kept[2] = pocketfft::detail::pass2<double>(scale / 4);
  cache::Table<int, long> table;
  kept[3] = table[scale / 8];
  kept[4] = scratch(scale);
  // Temporary: allocated and freed at once.
  std::free(rd.exec<double>(1.0, false));
}

void heaptrail_release(void) {
  for (void *&p : kept) {
    std::free(p);
    p = nullptr;
  }
}
}
