#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>
namespace pocketfft { namespace detail {
template<typename T> struct cmplx { T r, i; };
template<typename T0> class pocketfft_r {
 public:
  explicit pocketfft_r(size_t n) : n_(n), buf_(static_cast<T0*>(std::malloc(n * sizeof(T0)))) {}
  ~pocketfft_r() { std::free(buf_); }
  template<typename T> __attribute__((noinline)) void exec(T c[], T0 fct, bool fwd) const { for (size_t i = 0; i < n_; ++i) c[i] = fwd ? c[i] * fct : c[i] / fct; }
 private:
  size_t n_; T0* buf_;
};
template<typename T> __attribute__((noinline)) void pass2(size_t ido, const cmplx<T>* cc, cmplx<T>* ch) { for (size_t i = 0; i < ido; ++i) ch[i] = cc[i]; }
}}
namespace shapes {
struct Shape { virtual ~Shape() = default; virtual double area() const = 0; };
struct Circle : Shape { double r; explicit Circle(double r) : r(r) {} double area() const override { return 3.14 * r * r; } };
template<class T, int N> struct Grid { T cells[N]; T& operator[](int i) { return cells[i]; } bool operator<(const Grid&) const { return false; } };
inline std::string label() { return std::string("shape") + std::to_string(std::rand()); }
template<class... Ts> size_t count(Ts... ts) { return sizeof...(ts); }
template<bool B, unsigned U, long L> long lits() { return B + U + L; }
__attribute__((noinline)) void* grab(size_t n) { if (__builtin_expect(n > (1u << 30), 0)) throw std::runtime_error("too big"); return std::malloc(n); }
__attribute__((noinline)) static int scale(int x, int unused) { (void)unused; return x * 3; }
void callbacks(void (*cb)(int), int (Circle::*pm)(int) const, int (&arr)[3]);
}
namespace { struct Hidden { int v; int get() const { return v; } }; }
int run_all(int n) {
  pocketfft::detail::pocketfft_r<double> r(4); double buf[4] = {1, 2, 3, 4}; r.exec(buf, 2.0, true);
  pocketfft::detail::pocketfft_r<float> rf(4); float bf[4] = {}; rf.exec(bf, 1.0f, false);
  pocketfft::detail::cmplx<double> a[2] = {}, b[2]; pocketfft::detail::pass2<double>(2, a, b);
  std::map<std::string, std::vector<std::pair<int, double>>> m; m[shapes::label()].push_back({n, 2.0});
  std::vector<std::unique_ptr<shapes::Shape>> v; v.push_back(std::make_unique<shapes::Circle>(1.0));
  std::function<int(int)> f = [n](int q) { static int calls = 0; return q * n + ++calls; };
  shapes::Grid<char, 2> g; g[0] = 'x';
  Hidden h{n};
  void* p = shapes::grab(static_cast<size_t>(n)); std::free(p);
  return f(2) + static_cast<int>(shapes::count(1, 'c', 2.0)) + static_cast<int>(shapes::lits<true, 5u, -3l>()) + (g < g) + h.get() + shapes::scale(n, 0) + static_cast<int>(v[0]->area());
}
int omp_sum(const int* xs, int n) { int s = 0;
#pragma omp parallel for reduction(+:s)
  for (int i = 0; i < n; ++i) s += xs[i];
  return s; }
