using System;
using System.Globalization;
using System.Linq;
using System.Reflection;
using Xunit;

namespace Backprop.Generator.Tests;

/// <summary>
/// Regression tests of issue 15: each construct that gave a silent wrong result, uncompilable or warning-raising
/// generated code, or a compiler crash. Every program is compiled with the generator (generated warnings fail, see
/// <see cref="GeneratorHarness.CompileAndLoad"/>), run, and its gradient checked against central finite differences.
/// </summary>
public sealed class CorrectnessRegressionTests
{
    private const string Usings = "using System;\nusing Backprop;\n\n";

    private static Type Compile(string members) =>
        GeneratorHarness.CompileAndLoad(Usings + "public static partial class M\n{\n" + members + "\n}\n").GetType("M")!;

    /// <summary>Calls <c>{name}Gradient</c> of a method whose parameters are all doubles; returns its value and gradient.</summary>
    private static (double Value, double[] Gradient) Gradient(Type type, string name, params double[] point)
    {
        var arguments = point.Cast<object>().Concat(point.Select(_ => (object)0.0)).ToArray();
        double value = (double)type.GetMethod(name + "Gradient")!.Invoke(null, arguments)!;
        return (value, arguments.Skip(point.Length).Cast<double>().ToArray());
    }

    /// <summary>The value equals the method's, and the gradient its central finite differences.</summary>
    private static void CheckAgainstFiniteDifferences(Type type, string name, params double[] point)
    {
        var method = type.GetMethod(name)!;
        double F(double[] p) => (double)method.Invoke(null, p.Cast<object>().ToArray())!;
        var (value, gradient) = Gradient(type, name, point);
        Assert.Equal(F(point), value);
        for (int i = 0; i < point.Length; i++)
        {
            var plus = (double[])point.Clone();
            var minus = (double[])point.Clone();
            plus[i] += 1e-6;
            minus[i] -= 1e-6;
            double numeric = (F(plus) - F(minus)) / 2e-6;
            Assert.True(Math.Abs(numeric - gradient[i]) <= 1e-6 * Math.Max(1, Math.Abs(numeric)),
                string.Create(CultureInfo.InvariantCulture, $"{name} d/dp{i} at ({string.Join(", ", point)}): analytic {gradient[i]}, numeric {numeric}"));
        }
    }

    // ---------------------------------------------------------------- ref locals

    [Fact]
    public void RefLocal_ToParameter_AliasesIt()
    {
        var type = Compile("""
            [Differentiable]
            public static double F(double x, double y)
            {
                ref double a = ref x;
                a *= y;
                return x;
            }
            """);
        var (value, gradient) = Gradient(type, "F", 3, 5);
        Assert.Equal(15, value);
        Assert.Equal(new[] { 5.0, 3.0 }, gradient);
    }

    [Fact]
    public void RefLocal_ToBufferElement_AndChains_AliasTheirTarget()
    {
        var type = Compile("""
            [Differentiable]
            public static double Element(double x, double y)
            {
                Span<double> buf = stackalloc double[2];
                buf[0] = x;
                buf[1] = y;
                int k = 0;
                ref double r = ref buf[k];
                k = 1;
                r *= y;
                r += buf[k];
                return buf[0] * buf[1];
            }

            [Differentiable]
            public static double Chain(double x, double y)
            {
                ref double a = ref x;
                ref double b = ref a;
                ref double c = ref b;
                c *= y;
                b += Math.Sin(c);
                return x * a;
            }

            [Differentiable]
            public static double InLoop(double x, double y)
            {
                double[] w = new double[3];
                for (int i = 0; i < 3; i++)
                {
                    ref double e = ref w[i];
                    e = x * (i + 1);
                    e *= y;
                }
                return w[0] + w[1] * w[2];
            }
            """);
        Assert.Equal((3.0 * 5 + 5) * 5, Gradient(type, "Element", 3, 5).Value);
        CheckAgainstFiniteDifferences(type, "Element", 0.7, -1.3);
        CheckAgainstFiniteDifferences(type, "Chain", 0.7, -1.3);
        CheckAgainstFiniteDifferences(type, "InLoop", 0.7, -1.3);
    }

    // ---------------------------------------------------------------- conditionals evaluate what the method evaluates

    [Fact]
    public void Conditional_OnlyTheTakenArmRunsInTheGradient()
    {
        var type = Compile("""
            [Differentiable]
            public static double Guarded(double x, [NoDerivative] double[] w, int k) => k < w.Length ? Math.Exp(w[k] * x) * x : x;

            [Differentiable]
            public static double Divides(double x, int n) => n != 0 ? (10 / n) * Math.Sin(x) * x : x;

            [Differentiable]
            public static double Signs(double a, double b) => a > 0 ? Math.Sign(Math.Sqrt(a)) * b : b;

            [Differentiable]
            public static double Nested(double x, double y) => 2 * (x > 0 ? (y > 0 ? Math.Log(x) * y : Math.Sqrt(x)) : Math.Log(-x)) + y;
            """);
        var guarded = type.GetMethod("GuardedGradient")!;
        var arguments = new object[] { 0.5, new[] { 1.0 }, 3, 0.0 };
        Assert.Equal(0.5, (double)guarded.Invoke(null, arguments)!);
        Assert.Equal(1.0, (double)arguments[3]);
        arguments = new object[] { 0.5, new[] { 2.0 }, 0, 0.0 };
        Assert.Equal(Math.Exp(1) * 0.5, (double)guarded.Invoke(null, arguments)!, 15);
        Assert.Equal(Math.Exp(1) * 2 * 0.5 + Math.Exp(1), (double)arguments[3], 12);

        var divides = type.GetMethod("DividesGradient")!;
        arguments = new object[] { 0.5, 0, 0.0 };
        Assert.Equal(0.5, (double)divides.Invoke(null, arguments)!);
        Assert.Equal(1.0, (double)arguments[2]);

        var (value, gradient) = Gradient(type, "Signs", -1, 2);
        Assert.Equal(2, value);
        Assert.Equal(new[] { 0.0, 1.0 }, gradient);
        CheckAgainstFiniteDifferences(type, "Signs", 0.5, 2);
        foreach (var (x, y) in new[] { (0.5, 0.7), (0.5, -0.7), (-0.5, 0.7) })
            CheckAgainstFiniteDifferences(type, "Nested", x, y);
    }

    // ---------------------------------------------------------------- from-end indexes

    [Fact]
    public void FromEndIndexes_OnArraysAndSpans_MeanLengthMinusK()
    {
        var type = Compile("""
            [Differentiable]
            public static double Local(double x)
            {
                double[] t = new double[3];
                t[^1] = x;
                t[^3] = x * x;
                return t[^1] * 2 + x + t[0];
            }

            [Differentiable]
            public static double OfArray(double x, double[] w) => x * w[^1] + w[^2];

            [Differentiable]
            public static double OfSpan(double x, ReadOnlySpan<double> w) => x * w[^1] + w[^2];

            public static double[] Probe()
            {
                double[] w = { 1, 2, 3 }, dA = new double[3], dS = new double[3];
                double a = OfArrayGradient(0.5, w, out double dXa, dA);
                double s = OfSpanGradient(0.5, w, out double dXs, dS);
                return new[] { a, dXa, dA[0], dA[1], dA[2], s, dXs, dS[0], dS[1], dS[2] };
            }
            """);
        CheckAgainstFiniteDifferences(type, "Local", 0.7);
        Assert.Equal(0.7 * 2 + 0.7 + 0.49, Gradient(type, "Local", 0.7).Value, 15);
        var probe = (double[])type.GetMethod("Probe")!.Invoke(null, null)!;
        Assert.Equal(new[] { 3.5, 3, 0, 1, 0.5, 3.5, 3, 0, 1, 0.5 }, probe);
    }

    // ---------------------------------------------------------------- generated code that must compile without warnings

    [Fact]
    public void KeywordNames_AreEscapedEverywhere_IncludingCallers()
    {
        var type = Compile("""
            [Differentiable]
            public static double Keywords(double @params, double @in, double[] @class)
            {
                double @event = @params * @in;
                double @fixed = 0;
                for (int @int = 0; @int < @class.Length; @int++) @fixed += @class[@int] * @event;
                return @fixed + Math.Sin(@event);
            }

            [Differentiable]
            public static double Default(double @base) => @base * @base;

            [Differentiable]
            public static double Caller(double @params, double @in)
            {
                double[] @object = new double[2];
                @object[0] = 1;
                @object[1] = @params;
                return Keywords(@params, @in, @object) * Default(@in);
            }
            """);
        CheckAgainstFiniteDifferences(type, "Caller", 0.7, -1.3);
        CheckAgainstFiniteDifferences(type, "Default", 0.7);
    }

    [Fact]
    public void LocalConstants_Deconstructions_FoldedPatterns_AndSameOperands_RaiseNoWarning()
    {
        var type = Compile("""
            [Differentiable]
            public static double Constant(double x)
            {
                const double a = 3.0;
                const int n = 2;
                return a * x * x + n;
            }

            [Differentiable]
            public static double Deconstruction(double x)
            {
                var (a, b) = (x * x, 1.5);
                return a;
            }

            [Differentiable]
            public static double FoldedPattern(double x)
            {
                double s = 0;
                for (int i = 0; i < 3; i++)
                {
                    if (!(2.5 is >= -0.09)) break;
                    s += x * i;
                }
                return s;
            }

            [Differentiable]
            public static double SameOperands(double x) => Math.Min(x, x) + Math.Max(x * 2, x * 2) + x;

            [Differentiable]
            public static double ConstantChoice(double x) => (-1.45 < 0.0 ? Math.Sin(x) * x : Math.Cos(x) * x) * (2.5 is > 3 ? Math.Exp(x) * x : x);
            """);
        foreach (string name in new[] { "Constant", "Deconstruction", "FoldedPattern", "SameOperands", "ConstantChoice" })
            CheckAgainstFiniteDifferences(type, name, 0.7);
    }

    [Fact]
    public void SourceComments_AndLineSeparators_DoNotBreakTheGeneratedComments()
    {
        // U+2028 and U+2029 end a line in C#: copied into a '//' comment unchanged, they would end it early.
        var type = Compile(
            "[Differentiable]\n" +
            "public static double F(double x, double y)\n" +
            "{\n" +
            "    double z = x /* a b */ * y; // a line separator:\u2028 z = 1;\n" +
            "    /* block\n" +
            "       comment */ z += x /* inner \u2029 paragraph \u0085 */ * x;\n" +
            "    return z;\n" +
            "}\n");
        CheckAgainstFiniteDifferences(type, "F", 0.7, -1.3);
    }

    [Fact]
    public void Overloads_ByElementType_Arity_AndRefness_GetUniqueStableHintNames()
    {
        var outcome = GeneratorHarness.Run(Usings + """
            namespace Demo;

            public static partial class Model
            {
                [Differentiable] public static double Sum(double[] v) { double s = 0; foreach (var e in v) s += e; return s; }
                [Differentiable] public static float Sum(float[] v) { float s = 0; foreach (var e in v) s += e; return s; }
                [Differentiable] public static double Sum(double a, double b) => a + b;
                [Differentiable] public static double Sum(double a, double b, double c) => a + b + c;
                [Differentiable] public static double Sum(Span<double> v) => v[0];
                [Differentiable] public static double Sum(ReadOnlySpan<double> v, int n) => v[n];
                public static double Sum(ref double a) => a;
                public static double Sum(in float a) => a;
            }
            """);
        Assert.Empty(outcome.GeneratorDiagnostics);
        Assert.Empty(outcome.CompilationDiagnostics);
        var hints = outcome.Sources.Select(s => s.HintName).OrderBy(h => h, StringComparer.Ordinal).ToArray();
        Assert.Equal(6, hints.Distinct().Count());
        Assert.Contains("Demo.Model.Sum(double[]).g.cs", hints);
        Assert.Contains("Demo.Model.Sum(float[]).g.cs", hints);
        Assert.Contains("Demo.Model.Sum(double,double).g.cs", hints);
        Assert.Contains("Demo.Model.Sum(ReadOnlySpan_double_,int).g.cs", hints);
        // Stable: the same compilation gives the same names.
        var again = GeneratorHarness.Run(Usings + "namespace Demo;\npublic static partial class Model { [Differentiable] public static double Sum(double a) => a; }");
        Assert.Equal("Demo.Model.Sum.g.cs", Assert.Single(again.Sources).HintName);
    }

    [Fact]
    public void FoldedMinMaxAndConstantChoices_LeaveNoSelfAssignmentSelfComparisonOrUnreachableCode()
    {
        // Found by the property test once generated warnings were excused only by their own method's (CS1717, CS1718, CS0162).
        var type = Compile("""
            [Differentiable] public static double Local(double x) { double v = x * x; v = Math.Min(v, v); return v; }
            [Differentiable] public static double Parameter(double x) { x = Math.Max(x, x); return x * x; }
            [Differentiable] public static double ConstantChoice(double x) { double v = x * x; v = 0.5 < 1.0 ? v : Math.Sin(x); return v; }
            [Differentiable] public static double MaxCompare(double x) => x < Math.Max(x, x) ? x * x : Math.Sin(x) * x;
            [Differentiable] public static double MaxCompareOrEqual(double x) => x <= Math.Max(x, x) ? x * x : Math.Sin(x) * x;
            [Differentiable] public static double Folded(double x) { double v = Math.Max(2.0, 2.0) > 0.5 ? Math.Log(2.0) : 1.0; return v * x; }
            [Differentiable] public static double SwitchInCondition(double x) => x * ((0.0 switch { < -0.5 => 2.0, _ => 0.0 }) < 1.0 ? Math.Log(2.0) : 1.0);
            [Differentiable] public static double FoldedIf(double x) { Span<double> c = stackalloc double[3]; if (Math.Max(1.5, 1.5) < 1.2) c[1] = Math.Tanh(x); return x + c[1]; }
            """);
        foreach (string name in new[] { "Local", "Parameter", "ConstantChoice", "MaxCompare", "MaxCompareOrEqual", "Folded", "SwitchInCondition", "FoldedIf" })
            CheckAgainstFiniteDifferences(type, name, 0.7);
        Assert.True(double.IsNaN(Gradient(type, "MaxCompareOrEqual", double.NaN).Value));
    }
    // ---------------------------------------------------------------- found by the port of Clad's test suite

    [Fact]
    public void HelpersThatWriteIntoABufferTheGradientReads_AreInlined_NeverMissed()
    {
        // Clad's FunctionCalls.C fn5: the helper writes arr[0], its result is unused; the gradient used to miss the write
        // (d/darr[0] = 1 instead of 5), then it was BPG015. A helper that returns a value and writes into its buffer
        // argument is now inlined, its writes the caller's; a call in it that could write behind the gradient's back is still
        // BPG015, at that call.
        var inlined = Compile("""
                static double Modify2(double[] arr) { arr[0] = 5 * arr[0] + arr[1]; return 1; }

                [Differentiable] public static double A(double x, double y) { double[] arr = { x, y }; double temp = Modify2(arr); return arr[0] * arr[0]; }
                [Differentiable] public static double B(double x, double y) { double[] arr = { x, y }; return Modify2(arr) + arr[0] * y; }
            """);
        var (_, gradient) = Gradient(inlined, "A", 0.7, -1.3);
        Assert.Equal(2 * (5 * 0.7 - 1.3) * 5, gradient[0], 12);
        CheckAgainstFiniteDifferences(inlined, "A", 0.7, -1.3);
        CheckAgainstFiniteDifferences(inlined, "B", 0.7, -1.3);

        var marked = MarkedSource.Parse(Usings + """
            public static partial class M
            {
                static double Modify3(Span<double> arr) { [|Scale(arr.Slice(1))|]; return arr[1]; }
                static void Scale(Span<double> v) { foreach (ref double e in v) e *= 2; }

                [Differentiable] public static double E(double x) { double[] a = { x, 2 }; double t = Modify3(a); return a[1]; }
            }
            """);
        var outcome = GeneratorHarness.Run(marked.Text);
        Assert.Equal(
            new[] { ("BPG015", marked.Spans[0]) },
            outcome.GeneratorDiagnostics.Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error).Select(d => (d.Id, d.Location.SourceSpan)).OrderBy(d => d.SourceSpan.Start));

        // Helpers that only read a writable buffer still run as written (kept calls) or are differentiated.
        var type = Compile("""
                static int CountPositive(double[] w) { int c = 0; for (int i = 0; i < w.Length; i++) if (w[i] > 0) c++; return c; }
                static void Log(Span<double> w, System.Collections.Generic.List<double> log) { foreach (var v in w) log.Add(v); }
                static double Head(Span<double> w) => w[0] * w[1];

                [Differentiable]
                public static double G(double x, double y)
                {
                    double[] a = { x, y };
                    int c = CountPositive(a);
                    var log = new System.Collections.Generic.List<double>();
                    Log(a, log);
                    return c * a[0] * a[1] + Head(a);
                }
            """);
        CheckAgainstFiniteDifferences(type, "G", 0.7, -1.3);
        CheckAgainstFiniteDifferences(type, "G", 0.7, 1.3);
    }

    [Fact]
    public void StructsWithBoolFields_ConstructedWithDefaults_AreDifferentiated()
    {
        // Clad's MemberFunctions.C fn8-fn10: a struct { double val; bool cond; } built with an initializer used to be an
        // internal error (BPG017), its bool field spelled from the default 0.
        var type = Compile("""
                public struct S
                {
                    public double Val;
                    public bool Flag;
                    public readonly bool Cond(double t) => t > 0 || Flag;
                    public static S operator -(S s, double x) => new S { Val = s.Val - x, Flag = s.Flag };
                }

                [Differentiable]
                public static double F(double x, double y)
                {
                    S s = new S { Val = x };
                    S t = new S();
                    if (s.Cond(y) || t.Flag) return ((s - 4 * x) - y).Val * y;
                    return s.Val * x;
                }
            """);
        CheckAgainstFiniteDifferences(type, "F", 0.7, 1.3);
        CheckAgainstFiniteDifferences(type, "F", 0.7, -1.3);
    }
    [Fact]
    public void InParameters_OfHelpersAndOfRuledMethods_AreDifferentiated()
    {
        // Clad's FunctionCalls.C fn9 and fn11 (const double& parameters): a helper with 'in' parameters could not be
        // differentiated (BPG010 at the call), and a [DerivativeOf] rule of a method with 'in' parameters was told to take
        // no gradients (BPG031). The helper is inlined; the rule's gradients are the 'in' parameters'.
        var type = Compile("""
                static double CustomMax(in double a, in double b) => a > b ? a : b;

                public static double Sum(in double x, in double y) => x + 0 * y;

                [DerivativeOf(typeof(M), nameof(Sum))]
                public static void SumReverse(double x, double y, double result, double dResult, ref double dX, ref double dY)
                {
                    dX += dResult;
                    dY += dResult;
                }

                [Differentiable] public static double G(double x, double y) => CustomMax(x * y, y);

                [Differentiable] public static double H(double x, double y) => Sum(x, y) * x;
            """);
        CheckAgainstFiniteDifferences(type, "G", 0.7, 1.3);
        CheckAgainstFiniteDifferences(type, "G", -0.7, 1.3);
        // The rule, not the body, differentiates Sum: d/dy (Sum(x, y) * x) = x by the rule (0 by the body).
        var (value, gradient) = Gradient(type, "H", 0.7, 1.3);
        Assert.Equal(0.7 * 0.7, value, 12);
        Assert.Equal(new[] { 2 * 0.7, 0.7 }, gradient.Select(g => Math.Round(g, 12)));
    }
    [Fact]
    public void ElementAssignmentsUsedAsValues_AreHoisted_InEvaluationOrder()
    {
        // Clad's Assignments.C f7 and f8 (x = ++t[0], t[3] = (y *= (t[0] = t[1] = t[2]))) were BPG014.
        var type = Compile("""
                [Differentiable]
                public static double A(double x, double y)
                {
                    double[] t = { 1, x, x * x };
                    x = ++t[0];
                    t[0] *= t[1];
                    return t[0] + x;
                }

                [Differentiable]
                public static double B(double x, double y)
                {
                    double[] t = { 1, x, y, 1 };
                    t[3] = (y *= (t[0] = t[1] = t[2]));
                    return t[3] * t[0] + t[1];
                }

                [Differentiable]
                public static double C(double x, double y)
                {
                    Span<double> t = stackalloc double[] { x, y, 0 };
                    int i = 0;
                    double s = (t[i] *= y) * x;
                    s += t[i++]-- * (t[2] = s);
                    return (t[0] = 1) + t[0] * x + s * t[1] * i;
                }
            """);
        foreach (var name in new[] { "A", "B", "C" })
        {
            CheckAgainstFiniteDifferences(type, name, 0.7, 1.3);
            CheckAgainstFiniteDifferences(type, name, -0.4, 0.9);
        }

        // Where the statement reads the buffer before the change, C# reads the old element: reported, not reordered.
        var marked = MarkedSource.Parse(Usings + """
            public static partial class M
            {
                [Differentiable] public static double D(double x) { double[] t = { x, 2 }; return t[0] + [|(t[0] = 1)|]; }
            }
            """);
        var diagnostic = Assert.Single(GeneratorHarness.Run(marked.Text).GeneratorDiagnostics);
        Assert.Equal("BPG015", diagnostic.Id);
        Assert.Equal(marked.Spans[0].Start + 1, diagnostic.Location.SourceSpan.Start);
        Assert.Contains("a change of an element of a buffer that the same statement reads before it", diagnostic.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }
    [Fact]
    public void RefLocals_ToStructLocalsAndTheirStructFields_AliasTheirNumbers()
    {
        // Clad's EarlyReturns.C structRefAfterEarly and nontrivialRefAfterEarly ('Pair& r = p;') were BPG014.
        var type = Compile("""
                public struct Pair { public double A; public double B; }
                public struct Outer { public Pair P; public double C; }

                [Differentiable]
                public static double S1(double x, double y)
                {
                    if (y == 0) return 1;
                    Pair p;
                    p.A = x * y;
                    p.B = x + y;
                    ref Pair r = ref p;
                    double d = r.A * r.B;
                    r.A = d * x;
                    ref Pair q = ref r;
                    q.B *= y;
                    return d + p.A * p.B;
                }

                [Differentiable]
                public static double S2(double a, double c, double y)
                {
                    Outer o = new Outer { P = new Pair { A = a, B = c * a }, C = c };
                    ref Pair r = ref o.P;
                    r.A *= y;
                    ref Outer w = ref o;
                    w.C += r.B;
                    return o.P.A * o.C + r.A;
                }
            """);
        CheckAgainstFiniteDifferences(type, "S1", 0.7, 1.3);
        CheckAgainstFiniteDifferences(type, "S1", -0.4, 0.9);
        CheckAgainstFiniteDifferences(type, "S2", 0.7, 1.3, -0.8);
    }
    [Fact]
    public void ArrayLocalsBoundToArrays_AndReadOnlySpanLocalsThatOwnTheirNumbers_AreBuffers()
    {
        // Clad's Assignments.C f23 (an alias of an array local) and Loops.C fn38 (a braced list in a branch) were BPG014
        // ('a buffer initializer') and BPG018 (a ReadOnlySpan<double> local).
        var type = Compile("""
                [Differentiable]
                public static double F23(double x, double y)
                {
                    double[] list = { 1.0, x + y };
                    double res = 5;
                    if (x > y)
                    {
                        double[] r = list;
                        res = r[^1] * r[0] * list[1];
                    }
                    return res;
                }

                [Differentiable]
                public static double Fn38(double x, double y)
                {
                    double sum = 0;
                    if (x > 0)
                    {
                        ReadOnlySpan<double> range = [1.0, x, 2.0, y, 3.0];
                        foreach (double elem in range)
                            sum += elem * elem;
                        ReadOnlySpan<double> more = stackalloc double[] { x * y, y };
                        sum += more[0] * more[1];
                    }
                    return sum;
                }
            """);
        foreach (var name in new[] { "F23", "Fn38" })
        {
            CheckAgainstFiniteDifferences(type, name, 0.7, 0.3);
            CheckAgainstFiniteDifferences(type, name, -0.7, 1.3);
        }
    }
    [Fact]
    public void AssignmentsInTheRightOperandOfAndAndOr_RunOnlyWhenCSharpRunsThem()
    {
        // Clad's Gradients.C fn_cond_add_assign and Loops.C fn30, fn33 were BPG014 ('inside &&, || or ?:, which may not run').
        var type = Compile("""
                [Differentiable]
                public static double A(double i, double j)
                {
                    double res = 0;
                    if ((res = 2 * i * j) > 0.5 && (res += 3 * i * j) > 1 && (res += 5 * i * j) != 0)
                        res += 6 * i * j;
                    return res;
                }

                [Differentiable]
                public static double B(double i, double j)
                {
                    double res = 0;
                    for (int c = 0; (c < 3) && (res += i * j) < 2; ++c) { res *= 1.5; }
                    return res;
                }

                [Differentiable]
                public static double D(double x, double y)
                {
                    double r = x;
                    bool b = x > 0 || (r *= y) > 1;
                    return b ? r * x : r;
                }
            """);
        foreach (var name in new[] { "A", "B", "D" })
            foreach (var point in new[] { new[] { 0.7, 0.9 }, new[] { -0.7, 0.9 }, new[] { 0.3, 0.2 }, new[] { 1.7, 1.9 } })
                CheckAgainstFiniteDifferences(type, name, point);

        // A variable the statement read before the operand changes it: C# read the old value, so it is reported.
        var marked = MarkedSource.Parse(Usings + """
            public static partial class M
            {
                [Differentiable] public static double E(double x, double y) { double r = x; double s = r + (x > 0 && ([|r = y|]) > 0 ? 1 : 0); return s * r; }
            }
            """);
        var diagnostic = Assert.Single(GeneratorHarness.Run(marked.Text).GeneratorDiagnostics);
        Assert.Equal(("BPG015", marked.Spans[0]), (diagnostic.Id, diagnostic.Location.SourceSpan));
    }
    [Fact]
    public void SwitchStatements_OnEnumsStringsAndChars_AndOnAnAssignment()
    {
        // Clad's Switch.C fn24 (an enum parameter) and fn6 (switch (res = u * v)) were BPG014.
        var type = Compile("""
                public enum Op { Add, Sub, Mul, Div }

                [Differentiable]
                public static double Fn24(double x, double y, Op op)
                {
                    double res = 0;
                    switch (op)
                    {
                        case Op.Add: res = x + y; break;
                        case Op.Sub: res = x - y; break;
                        case Op.Mul: res = x * y; break;
                        case Op.Div: res = x / y; break;
                    }
                    return res;
                }

                [Differentiable]
                public static double Named(double x, string name, char c)
                {
                    switch (name)
                    {
                        case "sq": return x * x;
                        case "cube": if (c == 'a') return x * x * x; else return -x;
                        default: return x;
                    }
                }

                [Differentiable]
                public static double Fn6(double u, double v)
                {
                    int res = 0;
                    double temp = 0;
                    switch (res = (int)(u * v))
                    {
                        case 2: temp = u; break;
                        default: temp = v * v; break;
                    }
                    return res + temp * u;
                }
            """);
        double Derivative(string name, object[] arguments, int at)
        {
            var method = type.GetMethod(name)!;
            var plus = (object[])arguments.Clone();
            var minus = (object[])arguments.Clone();
            plus[at] = (double)arguments[at] + 1e-6;
            minus[at] = (double)arguments[at] - 1e-6;
            return ((double)method.Invoke(null, plus)! - (double)method.Invoke(null, minus)!) / 2e-6;
        }
        foreach (var op in Enum.GetValues(type.GetNestedType("Op")!))
        {
            var arguments = new object[] { 0.7, 1.3, op, 0.0, 0.0 };
            type.GetMethod("Fn24Gradient")!.Invoke(null, arguments);
            Assert.Equal(Derivative("Fn24", new object[] { 0.7, 1.3, op }, 0), (double)arguments[3], 6);
            Assert.Equal(Derivative("Fn24", new object[] { 0.7, 1.3, op }, 1), (double)arguments[4], 6);
        }
        foreach (var (name, c) in new[] { ("sq", 'a'), ("cube", 'a'), ("cube", 'b'), ("other", 'a') })
        {
            var arguments = new object[] { 0.7, name, c, 0.0 };
            type.GetMethod("NamedGradient")!.Invoke(null, arguments);
            Assert.Equal(Derivative("Named", new object[] { 0.7, name, c }, 0), (double)arguments[3], 6);
        }
        CheckAgainstFiniteDifferences(type, "Fn6", 0.7, 1.3);
        CheckAgainstFiniteDifferences(type, "Fn6", 1.1, 2.1);
    }
    [Fact]
    public void ForEachByReference_OverABuffer_NamesItsElements()
    {
        // Clad's Loops.C fn34 ('for (auto& i : a)') was BPG018 ('local i of type ref double').
        var type = Compile("""
                [Differentiable]
                public static double Fn34(double x, double y)
                {
                    double r = 0;
                    double[] a = { y, x * y, x * x + y };
                    foreach (ref double i in a.AsSpan())
                    {
                        r += i * i;
                        i *= x;
                    }
                    foreach (ref readonly double i in a.AsSpan(1))
                        r += i;
                    return r + a[0];
                }
            """);
        CheckAgainstFiniteDifferences(type, "Fn34", 0.7, 1.3);
        CheckAgainstFiniteDifferences(type, "Fn34", -0.4, 0.9);
    }
    [Fact]
    public void IncrementAndDecrement_OfStructsWithTheirOwnOperators()
    {
        // Clad's MemberFunctions.C fn4 ('++v' with SimpleFunctions::operator++) was BPG014, which said that the struct
        // parameter could not be passed at all.
        var type = GeneratorHarness.CompileAndLoad(Usings + """
            public partial struct SF
            {
                public double X, Y;
                public SF(double pX, double pY) { X = pX; Y = pY; }
                public static SF operator ++(SF s) => new(s.X * s.Y + 1.0, s.Y);
                public static SF operator --(SF s) => new(s.X, s.Y - s.X);
            }

            public static partial class M
            {
                [Differentiable]
                public static double G(double x, double y)
                {
                    SF v = new(x, y);
                    v++;
                    --v;
                    return v.X * v.Y;
                }
            }
            """).GetType("M")!;
        CheckAgainstFiniteDifferences(type, "G", 0.7, 1.3);
        CheckAgainstFiniteDifferences(type, "G", -0.4, 0.9);
    }
    [Fact]
    public void RefLocals_ToStaticFields_ReadTheField()
    {
        // Clad's Gradients.C fn_global_var_use ('double& ref = global;') was BPG014.
        var type = Compile("""
                public static double Global = 7;
                static readonly double Scale = 2;

                [Differentiable]
                public static double F(double i, double j)
                {
                    ref double r = ref Global;
                    ref readonly double s = ref Scale;
                    return r * i + s * j * i;
                }
            """);
        CheckAgainstFiniteDifferences(type, "F", 0.7, 1.3);
        var (_, gradient) = Gradient(type, "F", 0.7, 1.3);
        Assert.Equal(7 + 2 * 1.3, gradient[0], 12);

        // Writing through it writes the field: BPG023 at the write.
        var marked = MarkedSource.Parse(Usings + """
            public static partial class M
            {
                public static double Global = 7;
                [Differentiable] public static double W(double i) { ref double r = ref Global; [|r|] += i; return r * i; }
            }
            """);
        var diagnostic = Assert.Single(GeneratorHarness.Run(marked.Text).GeneratorDiagnostics);
        Assert.Equal(("BPG023", marked.Spans[0]), (diagnostic.Id, diagnostic.Location.SourceSpan));
    }

    // ---------------------------------------------------------------- found by the property test

    /// <summary>
    /// Stores nothing reads afterwards are not differentiated: <c>b</c> is read into the result before the loop, so it
    /// was active for the whole method, and the reverse of the loop multiplied its zero adjoints by <c>2 b[0]</c>, which
    /// overflowed to ∞: the gradient was NaN (property test seed 5vzIo1c0tHp3, reduced).
    /// </summary>
    [Fact]
    public void StoresNothingReadsAfterwards_AreNotDifferentiated_SoAnOverflowThereLeavesTheGradientFinite()
    {
        var type = Compile("""
            [Differentiable]
            public static double F(double x, double y)
            {
                Span<double> b = stackalloc double[2];
                double s = x * y + b[1];
                for (int i = 0; i < 12; i++)
                {
                    b[0] = b[0] * b[0] + x + 2;
                    b[1] += b[0] * y;
                }
                return s + Math.Sin(x) + (b[1] > 0 ? 1 : 0);
            }
            """);
        CheckAgainstFiniteDifferences(type, "F", 0.3, -0.7);
    }

    /// <summary>
    /// The same where <c>b</c> is active anyway (its first store reaches the result): the later stores nothing reads get
    /// no derivative, though <c>b</c> has an adjoint.
    /// </summary>
    [Fact]
    public void StoresNothingReadsAfterwards_OfAnActiveBuffer_AreNotDifferentiated()
    {
        var type = Compile("""
            [Differentiable]
            public static double F(double x, double y)
            {
                Span<double> b = stackalloc double[2];
                b[0] = x * x;
                double s = b[0] * y;
                for (int i = 0; i < 12; i++)
                {
                    b[0] = b[0] * b[0] + x + 2;
                    b[1] += b[0] * y;
                }
                return s + (b[1] > 0 ? 1 : 0);
            }
            """);
        CheckAgainstFiniteDifferences(type, "F", 0.3, -0.7);
    }
}
