using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Analysis;
using Backprop.Generator.Differentiation;
using Backprop.Generator.Discovery;
using Backprop.Generator.Ir;
using Xunit;

namespace Backprop.Generator.Tests;

/// <summary>
/// <see cref="Inliner"/>, IR in, IR out: the normalized IR of small methods (lowered by the generator), inlined with a
/// resolver over the other methods of the same source, printed on one line.
/// </summary>
public class InlinerTests
{
    private const string Usings = "using System;\nusing Backprop;\n\n";

    /// <summary>Every method the generator lowered from <paramref name="source"/> (marked, and the helpers they call), by name.</summary>
    private static Dictionary<string, IrMethod> Lowered(string source)
    {
        var result = GeneratorHarness.Driver().RunGenerators(GeneratorHarness.Compilation(Usings + source)).GetRunResult().Results.Single();
        Assert.Null(result.Exception);
        var methods = new Dictionary<string, IrMethod>();
        foreach (var model in result.TrackedSteps[TrackingNames.Models].SelectMany(run => run.Outputs).Select(output => (MethodModel)output.Value))
        {
            Assert.True(model.Method is not null, model.DisplayName + ": " + string.Join(", ", model.Diagnostics.Select(d => d.Id)));
            methods[model.Method!.Shape.Name] = model.Method;
            foreach (var helper in model.Method.Helpers) methods[helper.Shape.Name] = helper;
        }
        return methods;
    }

    private static (IrMethod Method, string? Limit) Inline(string source, string method = "F")
    {
        var methods = Lowered(source);
        IrMethod? Resolve(CalleeInfo callee, IReadOnlyList<IrExpression> arguments, out string why)
        {
            why = "which the test does not know";
            return methods.TryGetValue(callee.Name, out var found) ? found : null;
        }
        var inlined = Inliner.Inline(methods[method], Inliner.Key("global::Model", method, methods[method].Parameters.Select(p => methods[method].Variables[p].Name)), Resolve, out string? limit);
        return (inlined, limit);
    }

    /// <summary>The body on one line: <c>x = e;</c>, <c>b[i] = e;</c>, <c>if (c) { … } else { … }</c>, <c>while (c) { … } step { … }</c>.</summary>
    private static string Text(IrMethod method)
    {
        var text = new ExpressionText(method);
        string Block(IEnumerable<IrStatement> statements) => string.Join(" ", statements.Select(Statement));
        string Statement(IrStatement statement) => statement switch
        {
            IrAssign a => $"{(a.IsDeclaration ? "var " : "")}{text.Name(a.Variable)} = {text.Of(a.Value)};",
            IrStore s => $"{text.Name(s.Buffer)}[{text.Of(s.Index)}] = {text.Of(s.Value)};",
            IrIf i => $"if ({text.Of(i.Condition)}) {{ {Block(i.Then)} }}" + (i.Else.Count > 0 ? " else { " + Block(i.Else) + " }" : ""),
            IrLoop l => $"while ({(l.Condition is null ? "true" : text.Of(l.Condition).ToString())}) {{ {Block(l.Body)} }}" + (l.Step.Count > 0 ? " step { " + Block(l.Step) + " }" : ""),
            _ => statement.GetType().Name + ";",
        };
        return Block(method.Body);
    }

    private static bool Calls(IrMethod method)
    {
        bool calls = false;
        foreach (var statement in method.Body)
            IrWalker.VisitStatements(statement, s =>
            {
                calls |= s is IrCallStatement;
                IrWalker.VisitStatement(s, e => calls |= e is IrDifferentiableCall);
            });
        return calls;
    }

    [Fact]
    public void SliceArgument_OffsetsEveryElement_AndItsLengthIsTheSlices()
    {
        var (method, limit) = Inline("""
            public static partial class Model
            {
                static double Sum(ReadOnlySpan<double> v)
                {
                    double s = 0;
                    for (int k = 0; k < v.Length; k++) s += v[k] * v[^1];
                    return s;
                }

                [Differentiable]
                public static double F(ReadOnlySpan<double> w, int i) => Sum(w.Slice(i + 1, 2)) + Sum(w);
            }
            """);

        Assert.Null(limit);
        Assert.False(Calls(method));
        Assert.Equal(
            "var s = 0.0; var k = 0; while (k < 2) { s = s + w[i + 1 + k] * w[i + 1 + (2 - 1)]; } step { k = k + 1; } "
            + "sum = s; var s2 = 0.0; var k2 = 0; while (k2 < w.Length) { s2 = s2 + w[k2] * w[w.Length - 1]; } step { k2 = k2 + 1; } "
            + "sum2 = s2; result = sum + sum2;",
            Text(method));
    }

    [Fact]
    public void ScalarParameter_IsTheArgument_UnlessTheCalleeAssignsIt_OrTheArgumentComputes()
    {
        var (method, limit) = Inline("""
            public static partial class Model
            {
                static double G(double a, double b, double c)
                {
                    a = a * b;
                    return a + b * c;
                }

                [Differentiable]
                public static double F(double x, double y) => G(x, y * 2, y);
            }
            """);

        Assert.Null(limit);
        Assert.Equal("var a = x; var b = y * 2.0; a = a * b; g = a + b * y; result = g;", Text(method));
    }

    [Fact]
    public void EarlyReturnOfTheCallee_IsItsResultVariable_AndItsFlag()
    {
        var (method, limit) = Inline("""
            public static partial class Model
            {
                static double Clip(double u)
                {
                    if (u > 1) return 1;
                    double t = u * u;
                    return t;
                }

                [Differentiable]
                public static double F(double x) => 2 * Clip(x);
            }
            """);

        Assert.Null(limit);
        Assert.Equal("if (x > 1.0) { clip = 1.0; } else { var t = x * x; clip = t; } result = 2.0 * clip;", Text(method));
    }

    [Fact]
    public void CallsWhereCSharpMayNotEvaluateThem_RunOnlyWhenItWould()
    {
        var (method, limit) = Inline("""
            public static partial class Model
            {
                static double H(double u) => u * u;

                [Differentiable]
                public static double F(double x, int n)
                {
                    double s = 0;
                    int k = 0;
                    while (k < n && H(x * k) < 4) k++;
                    return x > 0 || H(x) > 1 ? s + k : s;
                }
            }
            """);

        Assert.Null(limit);
        Assert.Equal(
            "var s = 0.0; var k = 0; var looping = true; while (looping) { var test = k < n; if (test) { var u = x * (double)k; h = u * u; test = h < 4.0; } "
            + "looping = test; if (looping) { k = k + 1; } } "
            + "var test2 = x > 0.0; if (!test2) { h2 = x * x; test2 = h2 > 1.0; } if (test2) { choice = s + (double)k; } else { choice = s; } result = choice;",
            Text(method));
    }

    [Fact]
    public void LayerWithABufferOfItsOwn_InALoop_IsAllocatedOnceAtTheTop_AndZeroedAtTheCall()
    {
        var (method, limit) = Inline("""
            public static partial class Model
            {
                static void Twice(ReadOnlySpan<double> x, Span<double> y)
                {
                    Span<double> t = stackalloc double[2];
                    t[0] = x[0] * x[1];
                    y[0] = t[0] + t[1];
                }

                [Differentiable]
                public static double F(ReadOnlySpan<double> w)
                {
                    Span<double> o = stackalloc double[3];
                    double s = 0;
                    for (int i = 0; i < 2; i++)
                    {
                        Twice(w.Slice(i, 2), o.Slice(1));
                        s += o[1];
                    }
                    return s;
                }
            }
            """);

        Assert.Null(limit);
        Assert.Equal(
            "var t = stackalloc double[2]; var o = stackalloc double[3]; var s = 0.0; var i = 0; "
            + "while (i < 2) { var clear = 0; while (clear < t.Length) { t[clear] = 0.0; } step { clear = clear + 1; } "
            + "t[0] = w[i] * w[i + 1]; o[1] = t[0] + t[1]; s = s + o[1]; } step { i = i + 1; } result = s;",
            Text(method));
    }

    [Fact]
    public void Recursion_IsALimit_NamingTheCycle()
    {
        var (method, limit) = Inline("""
            public static partial class Model
            {
                static double Even(double x, int n) => n <= 0 ? x : Odd(x * 0.5, n - 1);

                static double Odd(double x, int n) => n <= 0 ? x * x : Even(x, n - 1);

                [Differentiable]
                public static double F(double x) => Even(x, 3);
            }
            """);

        Assert.Equal("it calls 'Even', which is recursive (Even → Odd → Even), and second derivatives inline the methods they call; write the recursion as a loop", limit);
        Assert.True(Calls(method));
    }

    [Fact]
    public void MethodWithoutCalls_IsReturnedAsItIs()
    {
        var methods = Lowered("public static partial class Model { [Differentiable] public static double F(double x) => x * x; }");
        IrMethod? None(CalleeInfo callee, IReadOnlyList<IrExpression> arguments, out string why) => throw new System.InvalidOperationException();

        Assert.Same(methods["F"], Inliner.Inline(methods["F"], "F", None, out string? limit));
        Assert.Null(limit);
    }
}
