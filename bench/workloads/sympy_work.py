# sympy expanding, factoring, a series and an integral.
import sympy as sp
x, y, z = sp.symbols("x y z")
e = sp.expand((x + y + z + 1) ** 12)
f = sp.factor(x**20 - y**20)
s = sp.series(sp.sin(x) * sp.exp(x), x, 0, 18)
i = sp.integrate(x**3 * sp.exp(-x) * sp.sin(x), x)
print(len(str(e)), len(str(f)), len(str(s)), len(str(i)))
