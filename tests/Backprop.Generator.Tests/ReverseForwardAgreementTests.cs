using System;
using Xunit;

namespace Backprop.Generator.Tests;

/// <summary>
/// Two random programs (<c>BACKPROP_PROPERTY_COMPILATIONS=60</c>, 2026-11-27) whose d/dp0 differed from central
/// differences: -6.7e23 and -62 where differences give 0 at every step from 1e-3 to 1e-9. Not a wrong derivative: both
/// assign p0 in loops that grow it to about 1e72 (the second's final p0 has the gradient 2.8e74, which central
/// differences confirm to 7 digits), and the result goes through functions that are flat in double arithmetic there
/// (atan2 of 1e72 is exactly π/2; a small term added to a huge one is absorbed), while the derivative of the real-number
/// program is not zero. Forward mode, built independently (TangentBuilder), gives the same numbers bit for bit. The
/// test keeps them as a check that the reverse and forward sweeps agree where differences cannot tell.
/// </summary>
public sealed class ReverseForwardAgreementTests
{
    [Theory]
    [InlineData(0, -0.24758763366732173, 0.06495153604305903, 0.6632702961393027)]
    [InlineData(1, 1.3627115603828392, -1.4684255523460106, -0.683985191948705)]
    public void AssignedParameterGrowingHuge_GradientEqualsTheTangents(int program, double p0, double p1, double p2)
    {
        string source = RandomPrograms.Class(new[] { new RandomProgram("double p0, double p1, double p2", Bodies[program]) })
            .Replace("[Differentiable]\n    public static double F0", "[Differentiable(Forward = true)]\n    public static double F0");
        var type = GeneratorHarness.CompileAndLoad(source).GetType("Programs")!;
        var gradientArguments = new object[] { p0, p1, p2, 0.0, 0.0, 0.0 };
        double value = (double)type.GetMethod("F0Gradient")!.Invoke(null, gradientArguments)!;
        for (int k = 0; k < 3; k++)
        {
            var tangentArguments = new object[] { p0, p1, p2, k == 0 ? 1.0 : 0.0, k == 1 ? 1.0 : 0.0, k == 2 ? 1.0 : 0.0, 0.0 };
            Assert.Equal(value, (double)type.GetMethod("F0Tangent")!.Invoke(null, tangentArguments)!);
            double reverse = (double)gradientArguments[3 + k], forward = (double)tangentArguments[6];
            Assert.True(Math.Abs(reverse - forward) <= 1e-9 * Math.Max(1, Math.Abs(forward)), "d/dp" + k + ": reverse " + reverse + ", forward " + forward);
        }
    }

    private static readonly string[] Bodies =
    {
        // PropertyTests' F19 (seed epE-6qc1AI62, 60 compilations).
        """
        const double k0 = -0.75;
        const int n0 = 2;
        Span<double> b = stackalloc double[3];
        Span<double> c = stackalloc double[3];
        double v0 = Helpers.Square((k0 /* * */ * b[^2]), Math.Tanh(Helpers.Square((1.276))));
        double v1 = Math.Tanh(Helpers.Square(Helpers.SumSquares(b), Math.Tanh(p2)));
        if ((b[^2] switch { < -0.5 => c[2], > 0.5 and < 1.2 => v1, _ => v1 }) < (p0 - p0)) { if (Math.Min(v0, v0) < (v1 / (1.5 + p1 * p1))) return Math.Pow(1.5 + Math.Cos(Math.Min(p0, c[0])), 1.7); if (Math.Pow(1.5 + Math.Cos(p2), 1.7) < (k0 switch { < -0.5 => Helpers.SumSquares(c.Slice(1)), > 0.5 and < 1.2 => p1, _ => v1 })) { { double zt = 0; for (int zr = 0; zr < 3; zr++) { double zs = (v0 / (1.5 + p0 * p0)) * (zr - 1); for (int zq = 0; zq < 2; zq++) for (int zp = 0; zp < 2; zp++) zs += Math.Pow(1.5 + Math.Cos(Helpers.SumSquares(c, 0.5)), 1.7) * (zq - zp + zr); zt += zs > 0.4 ? zs : 0.0; } v0 += zt * 0.25; } { ref double @ref = ref b[^3]; @ref += Math.Sin(Math.Atan(p0)); } } { ref double @ref = ref p0; @ref = Math.Cos((@ref + Helpers.SumSquares(c.Slice(1)))); b[1] = (b[2] + (p1 / (1.5 + (0.001) * (0.001)))); ref double q = ref @ref; b[2] += (Math.Atan(v1) - Math.Max(c[^3], c[^3])); } } else { P2.Accumulate(ref p2, (Helpers.Square(p0, Math.Tanh(k0)) * (c[^1] switch { < -0.5 => k0, > 0.5 and < 1.2 => p0, _ => c[2] }))); p0 -= ((p1 * p2) / (1.5 + Math.Atan2(Helpers.SumSquares(c, 0.5), 2 + Math.Cos(p1)) * Math.Atan2(Helpers.SumSquares(c, 0.5), 2 + Math.Cos(p1)))); c[^3] *= Math.Tanh((Math.Log(1 + p0 * p0) - (c[^3] switch { < -0.5 => p2, > 0.5 and < 1.2 => p2, _ => Helpers.SumSquares(b) }))); }
        { var (d, _unused) = (Math.Tanh((k0 switch { < -0.5 => p2, > 0.5 and < 1.2 => (0.0), _ => Helpers.SumSquares(c.Slice(1)) })), (0.0)); p0 += d; }
        int i = 0; while (i < 3) { i++; if (Math.Pow(1.5 + Math.Cos(p1), 1.7) < (v0 - v1)) break; { double zt = 0; for (int zr = 0; zr < 3; zr++) { double zs = Helpers.Square((double)i, Math.Tanh(v0)) * (zr - 1); for (int zq = 0; zq < 2; zq++) for (int zp = 0; zp < 2; zp++) zs += Math.Atan(Helpers.SumSquares(c.Slice(1))) * (zq - zp + zr); zt += zs > -0.3 ? zs : 0.0; } b[2] += zt * 0.25; } switch ((i < 3 ? b[i] : p2)) { case < -0.5: v0 = ((i != 0 ? Math.Sin((6 / i) * b[1]) : (double)i) / (1.5 + Helpers.Square(b[^2]) * Helpers.Square(b[^2]))); Helpers.Mix(b.Slice(1), c.Slice(0, 2)); b[i % 3] -= Math.Pow(1.5 + Math.Cos((-(double)i)), 1.7); break; case > 0.5 and < 1.2: { for (int j = 0; j < 3; j++) c[j] = Math.Tanh(((double)i / (1.5 + (0.0) * (0.0)))) * (j + 1); c[1] += ((k0 * n0) - Helpers.SumSquares(b)); c[0] -= Helpers.Square(Helpers.SumSquares(c, 0.5)) * c[1]; v1 += c[0] * c[1] + Math.Tanh(c[2]); } break; default: Helpers.Mix(b.Slice(1), c.Slice(0, 2)); Helpers.Mix(b.Slice(0, 2), (Math.Max((double)i, Helpers.SumSquares(b.Slice(0, 2))) - (b[i % 3] < p1 ? (double)i : v0)), c.Slice(1, 2)); break; } }
        switch ((v1 * p0) > 0.3 ? 0 : (v1 * p0) < -0.6 ? 1 : 2) { case 0: switch (Math.Sqrt(1 + (0.0) * (0.0))) { case < -0.5: { ref double @ref = ref v1; v0 *= Math.Tanh(Math.Max(Math.Log(1 + @ref * @ref), (p2 /* + */ + (-0.016)))); ref double q = ref @ref; q += (p2 /* + */ + Math.Log(1 + b[^3] * b[^3])); } (p0, v1) = (v1, p0 * Math.Sqrt(1 + p0 * p0)); Helpers.Mix(b.Slice(1, 2), p2, c); break; case > 0.5 and < 1.2: { for (int j = 0; j < 3; j++) c[j] = Math.Tanh(v1) * (j + 1); c[1] += (k0 < (-1.562) ? p2 : Helpers.SumSquares(c.Slice(1))); c[0] -= (b[1] + c[2]) * c[0]; p1 += c[0] * c[1] + Math.Tanh(c[2]); } break; default: { ref double @ref = ref p2; p0 += (k0 * n0); } p0 = v1; b[1] -= (-Math.Log(1 + (-0.439) * (-0.439))); break; } goto case 1; case 1: v0 += ((p1 + v0) > 0.5 ? Math.Sign(Math.Sqrt((p1 + v0) - 0.5)) * Math.Log(1 + p1 * p1) : (Helpers.SumSquares(b.Slice(0, 2)) /* + */ + v1)); if ((k0 + c[0]) < Math.Atan2(v0, 2 + Math.Cos(p2))) { Helpers.Mix(b.Slice(1), c.Slice(0, 2)); { ref double r = ref v1; p1 = Math.Pow(1.5 + Math.Cos((c[0] - r)), 1.7); r *= Math.Tanh((Math.Atan(p1) - ((k0 * n0) /* * */ * v0))); } Helpers.Mix(b, ((b[2] > 0.5 ? Math.Sign(Math.Sqrt(b[2] - 0.5)) * b[0] : p0) / (1.5 + (v1 - v1) * (v1 - v1))), c); } else { v1 += ((0.0) + v1); } { double zt = 0; for (int zr = 0; zr < 3; zr++) { double zs = Math.Sqrt(1 + Helpers.SumSquares(b.Slice(0, 2)) * Helpers.SumSquares(b.Slice(0, 2))) * (zr - 1); for (int zq = 0; zq < 2; zq++) for (int zp = 0; zp < 2; zp++) zs += Helpers.Square(v1) * (zq - zp + zr); zt += zs > -0.3 ? zs : 0.0; } v0 += zt * 0.25; } goto default; default: if (((-0.622) - p0) < (b[^3] > 0.5 ? Math.Log(b[^3]) * p2 : v1)) { p2 *= Math.Tanh((-Math.Atan2(b[1], 2 + Math.Cos(v1)))); p1 = ((p2 + k0) - (b[2] / (1.5 + c[0] * c[0]))); Helpers.Log.Add(Helpers.Square(Math.Tanh(v1), Math.Tanh(p1))); } else { { for (int j = 0; j < 3; j++) c[j] = Math.Tanh(Math.Min((-0.9), Helpers.SumSquares(b))) * (j + 1); c[1] += v0; c[1] -= (Helpers.SumSquares(c.Slice(1)) + p0) * c[0]; p0 += c[0] * c[1] + Math.Tanh(c[2]); } { double zt = 0; for (int zr = 0; zr < 3; zr++) { double zs = ((k0 * n0) - p1) * (zr - 1); for (int zq = 0; zq < 2; zq++) for (int zp = 0; zp < 2; zp++) zs += (v0 + Helpers.SumSquares(c.Slice(1))) * (zq - zp + zr); zt += zs > 0.4 ? zs : 0.0; } p1 += zt * 0.25; } p1 += Math.Cbrt(2 + Math.Sin(((-0.0) < (k0 * n0) ? p2 : Helpers.SumSquares(b.Slice(0, 2))))); } break; }
        return (Math.Pow(1.5 + Math.Cos(Helpers.SumSquares(c.Slice(1))), 1.7) + (v1 > 0.5 ? Math.Log(v1) * b[^3] : (0.0)));
        """,
        // PropertyTests' F35 of another run.
        """
        const double k0 = -0.75;
        Span<double> b = stackalloc double[3];
        Span<double> c = stackalloc double[3];
        double v0 = ((Helpers.SumSquares(b.Slice(0, 2)) * (0.0)) > 0.5 ? Math.Log((Helpers.SumSquares(b.Slice(0, 2)) * (0.0))) * (c[^2] switch { < -0.5 => p2, > 0.5 and < 1.2 => p2, _ => p1 }) : Helpers.Square(c[2], Math.Tanh(p1)));
        double v1 = Math.Pow(1.5 + Math.Cos(v0), 1.7);
        Helpers.Mix(b, ((k0 switch { < -0.5 => v1, > 0.5 and < 1.2 => v0, _ => v0 }) switch { < -0.5 => Math.Cbrt(2 + Math.Sin(Helpers.SumSquares(b))), > 0.5 and < 1.2 => Helpers.Square(p1, Math.Tanh(v0)), _ => Math.Sin(Helpers.SumSquares(b.Slice(0, 2))) }), c);
        for (int i = 0; i < 3; i++) { for (int k = 0; k <= i; k++) { { var row = c.Slice(1, 2); row[0] = ((-v1) * (p0 - Helpers.SumSquares(c, 0.5))); p0 += row[^1] * row.Length + row[0] * (c[(i + 1) % 3] * (-1.343)) + Helpers.SumSquares(row); } p1 += (Math.Pow(1.5 + Math.Cos(p2), 1.7) / (1.5 + (k0 - p1) * (k0 - p1))); } b[i % 3] *= Math.Tanh((Math.Atan2((double)i, 2 + Math.Cos((double)i)) + (i + 1 < 3 ? c[i + 1] * Math.Exp(Math.Tanh(Helpers.SumSquares(b))) : (double)i))); { ref double @ref = ref p2; p1 -= ((i < 3 ? b[i] : v1) /* + */ + Helpers.SumSquares(b)); } if (Math.Atan(Helpers.SumSquares(c.Slice(1))) < Helpers.SumSquares(b)) return Math.Sin(Math.Cos(Helpers.SumSquares(b))); }
        return (Math.Sin(Helpers.SumSquares(c.Slice(1))) < (1.669) ? Math.Atan2(p0, 2 + Math.Cos(p0)) : Math.Atan2(v1, 2 + Math.Cos(c[0])));
        """,
    };
}
