using System;
using System.Linq;
using Xunit;

namespace Backprop.Generator.Tests;

/// <summary>Everyday C# syntax of numeric code (issue 16), each form checked against central finite differences.</summary>
public sealed class SyntaxTests
{
    /// <summary>Compiles the members into <c>Model</c>, calls <c>{name}Gradient</c> on a point, and returns the worst relative error.</summary>
    private static double WorstError(string members, string name, params double[] point)
    {
        var type = GeneratorHarness.CompileAndLoad("using System;\nusing Backprop;\n\npublic static partial class Model\n{\n" + members + "\n}\n").GetType("Model")!;
        var function = type.GetMethod(name)!;
        var gradient = type.GetMethod(name + "Gradient")!;
        double F(double[] p) => (double)function.Invoke(null, Array.ConvertAll(p, v => (object)v))!;
        var arguments = new object[point.Length * 2];
        for (int i = 0; i < point.Length; i++) (arguments[i], arguments[point.Length + i]) = (point[i], 0.0);
        double value = (double)gradient.Invoke(null, arguments)!;
        Assert.Equal(F(point), value);
        double worst = 0;
        for (int i = 0; i < point.Length; i++)
        {
            var p = (double[])point.Clone();
            p[i] = point[i] + 1e-6; double plus = F(p);
            p[i] = point[i] - 1e-6; double minus = F(p);
            double numeric = (plus - minus) / 2e-6;
            worst = Math.Max(worst, Math.Abs(numeric - (double)arguments[point.Length + i]) / Math.Max(1, Math.Abs(numeric)));
        }
        return worst;
    }

    [Theory]
    [InlineData("double[] v = { x, y, x * y };")]
    [InlineData("double[] v = new[] { x, y, x * y };")]
    [InlineData("double[] v = new double[] { x, y, x * y };")]
    [InlineData("double[] v = [x, y, x * y];")]
    [InlineData("Span<double> v = [x, y, x * y];")]
    [InlineData("Span<double> v = stackalloc double[] { x, y, x * y };")]
    [InlineData("Span<double> v = stackalloc[] { x, y, x * y };")]
    public void ArrayInitializersAndCollectionExpressions_AreBuffersWithTheirElements(string declaration)
    {
        double worst = WorstError($$"""
            [Differentiable]
            public static double F(double x, double y)
            {
                {{declaration}}
                double s = 0;
                for (int i = 0; i < v.Length; i++) s += Math.Sin(v[i]) * (i + 1);
                v[1] *= x;
                return s + v[1];
            }
            """, "F", 0.7, -1.2);
        Assert.True(worst < 1e-6, declaration + ": worst relative error " + worst);
    }

    [Fact]
    public void AssignmentsAndIncrementsUsedAsValues_RunInEvaluationOrder()
    {
        double worst = WorstError("""
            [Differentiable]
            public static double F(double x, double y)
            {
                Span<double> a = stackalloc double[6];
                int i = 0;
                a[i++] = x * y;
                a[i++] = Math.Sin(x);
                a[++i] = y;
                double p, q;
                p = q = x * 2;
                double s = 0;
                int n = 3;
                while (n-- > 0) s += a[n] * (q + n);
                int m = 2;
                do { s += p * y; } while (--m > 0);
                for (int k = 0; k++ < 2;) s += (p = p * x) + k;
                return s + a[3] + (q = q + 1) * q;
            }
            """, "F", 0.7, -1.2);
        Assert.True(worst < 1e-6, "worst relative error " + worst);
    }

    [Fact]
    public void SideEffectsThatWouldRunOutOfOrder_AreLocatedErrors()
    {
        var outcome = GeneratorHarness.Run("""
            using System;
            using Backprop;

            public static partial class Model
            {
                [Differentiable]
                public static double F(double x, int i)
                {
                    double s = x * (i + i++);
                    s += x > 0 ? i++ : 0;
                    return s;
                }
            }
            """);
        Assert.Equal(new[] { "BPG014", "BPG015" }, outcome.GeneratorDiagnostics.Select(d => d.Id).OrderBy(id => id));
        Assert.Empty(outcome.Sources);
    }
}
