using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace Backprop.Generator.Tests;

/// <summary>
/// Every BPG diagnostic: the exact set reported for a small method, where each one is located (the
/// <c>[| |]</c> markers), its full message, and that an error leaves no generated code behind.
/// </summary>
public sealed class DiagnosticTests
{
    private const string Usings = "using System;\nusing Backprop;\n\n";

    /// <summary>A diagnostic the test expects on the marked span with index <paramref name="Span"/>.</summary>
    private sealed record Expected(int Span, string Id, string Message);

    private static Expected At(int span, string id, string message) => new(span, id, message);

    /// <summary>Expects one diagnostic per marker, in marker order.</summary>
    private static GeneratorOutcome Verify(string markedSource, params (string Id, string Message)[] expected) =>
        Verify(markedSource, Array.Empty<string>(), expected);

    /// <param name="generatedWhenErrors">The files that other, valid methods in the source still get when there are errors.</param>
    private static GeneratorOutcome Verify(string markedSource, string[] generatedWhenErrors, params (string Id, string Message)[] expected) =>
        Verify(markedSource, generatedWhenErrors, expected.Select((e, i) => new Expected(i, e.Id, e.Message)).ToArray());

    private static GeneratorOutcome Verify(string markedSource, params Expected[] expected) =>
        Verify(markedSource, Array.Empty<string>(), expected);

    private static GeneratorOutcome Verify(string markedSource, string[] generatedWhenErrors, params Expected[] expected)
    {
        var marked = MarkedSource.Parse(markedSource);
        var outcome = GeneratorHarness.Run(marked.Text);
        var lines = SourceText.From(marked.Text).Lines;

        string Describe(string id, TextSpan span, string message) =>
            $"{id} at {span} '{marked.Text.Substring(span.Start, span.Length)}': {message}";

        var wanted = expected
            .Select(e => Describe(e.Id, marked.Spans[e.Span], e.Message))
            .OrderBy(s => s, StringComparer.Ordinal)
            .ToList();
        var actual = outcome.GeneratorDiagnostics
            .Select(d => d.Location == Location.None
                ? d.Id + " at no location: " + d.GetMessage(CultureInfo.InvariantCulture)
                : Describe(d.Id, d.Location.SourceSpan, d.GetMessage(CultureInfo.InvariantCulture)))
            .OrderBy(s => s, StringComparer.Ordinal)
            .ToList();
        Assert.Equal(string.Join("\n", wanted), string.Join("\n", actual));

        foreach (var diagnostic in outcome.GeneratorDiagnostics)
        {
            // The file and line/column must agree with the span, or the IDE squiggles one place and the build log names another.
            var lineSpan = diagnostic.Location.GetLineSpan();
            Assert.Equal("Source0.cs", lineSpan.Path);
            Assert.Equal(lines.GetLinePositionSpan(diagnostic.Location.SourceSpan), lineSpan.Span);
            Assert.Equal(diagnostic.Id == "BPG016" ? DiagnosticSeverity.Warning : DiagnosticSeverity.Error, diagnostic.Severity);
        }

        // No half-generated code: a method with an error gets no file at all.
        if (outcome.GeneratorDiagnostics.Any(d => d.Severity == DiagnosticSeverity.Error))
            Assert.Equal(generatedWhenErrors, outcome.Sources.Select(s => s.HintName).OrderBy(h => h, StringComparer.Ordinal));
        return outcome;
    }

    // ---------------------------------------------------------------- declaration

    [Fact]
    public void TypeNotPartial_BPG001_OnMethodName() => Verify(Usings + """
        public static class Model
        {
            [Differentiable]
            public static double [|Square|](double x) => x * x;
        }
        """,
        ("BPG001", "Cannot generate the gradient of 'Square': its containing type 'Model' is not partial; declare it 'partial' so the generated gradient can be added beside the method"));

    [Fact]
    public void TypeNotPartial_BPG001_OncePerEnclosingTypeThatIsNotPartial() => Verify(Usings + """
        public static class Outer
        {
            public static partial class Middle
            {
                public static class Inner
                {
                    [Differentiable]
                    public static double [|Square|](double x) => x * x;
                }
            }
        }
        """,
        At(0, "BPG001", "Cannot generate the gradient of 'Square': its containing type 'Inner' is not partial; declare it 'partial' so the generated gradient can be added beside the method"),
        At(0, "BPG001", "Cannot generate the gradient of 'Square': its containing type 'Outer' is not partial; declare it 'partial' so the generated gradient can be added beside the method"));

    [Fact]
    public void UnsupportedReturnType_BPG002_OnReturnType() => Verify(Usings + """
        public static partial class Model
        {
            [Differentiable]
            public static [|int|] Predict(double w, double b, [NoDerivative] double x) =>
                w * x + b > 0 ? 1 : 0;
        }
        """,
        ("BPG002", "Cannot differentiate 'Predict': it returns 'int'; a [Differentiable] method returns double or float, or is a void layer that writes its results into Span<T> parameters"));

    [Fact]
    public void UnsupportedReturnType_BPG002_RefReturnIsNamed() => Verify(Usings + """
        public static partial class Model
        {
            private static double s_cell;

            [Differentiable]
            public static [|ref double|] Cell(double x) => ref s_cell;
        }
        """,
        ("BPG002", "Cannot differentiate 'Cell': it returns 'ref double'; a [Differentiable] method returns double or float, or is a void layer that writes its results into Span<T> parameters"));

    [Theory]
    [InlineData("out", "out double prediction", "prediction = w * x;", "pass it by value and return the result")]
    [InlineData("ref", "ref double prediction", "prediction = w * x;", "pass it by value and return the result")]
    [InlineData("in", "in double prediction", "", "remove 'in': the value is read only, and passed by value it is differentiated")]
    [InlineData("params", "params double[] prediction", "", "remove 'params' and pass a double[] (callers write the values as an array or a collection expression)")]
    public void UnsupportedParameter_BPG003_OnParameterName(string modifier, string parameter, string statement, string advice)
    {
        int name = parameter.LastIndexOf(' ') + 1;
        string marked = parameter.Substring(0, name) + "[|" + parameter.Substring(name) + "|]";
        Verify(Usings + $$"""
            public static partial class Model
            {
                [Differentiable]
                public static double Loss(double w, [NoDerivative] double x, {{marked}})
                {
                    {{statement}}
                    return w * x;
                }
            }
            """,
            ("BPG003", $"Cannot differentiate 'Loss': parameter 'prediction' is passed by '{modifier}'; {advice}"));
    }

    [Fact]
    public void SliceGivenToALocalFunction_BPG014_SaysToPassAWholeBufferOrACopy() => Verify(Usings + """
        public static partial class Model
        {
            [Differentiable]
            public static double Loss(double[] w)
            {
                static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b) { double s = 0; for (int i = 0; i < a.Length; i++) s += a[i] * b[i]; return s; }
                return Dot([|w.AsSpan(1)|], w);
            }
        }
        """,
        ("BPG014", "Cannot differentiate the expression 'w.AsSpan(1)' (the slice or view 'w.AsSpan(1)' given to 'Dot', which is inlined (a local function, a struct method or a helper of a type that is not partial) and takes whole buffers only); pass a whole buffer (a parameter, or a local that is not a view) and the offset as an int, or copy the slice into a local buffer ('w.AsSpan(1).ToArray()')"));

    [Fact]
    public void RecursiveLocalFunction_BPG011_OnTheRecursiveCall() => Verify(Usings + """
        public static partial class Model
        {
            [Differentiable]
            public static double Loss(double x)
            {
                double Power(double t, int n) => n == 0 ? 1 : t * [|Power(t, n - 1)|];
                return Power(x, 3);
            }
        }
        """,
        ("BPG011", "Cannot differentiate 'Power': it calls itself, and a local function is differentiated by inlining its body; rewrite the recursion as a loop, or make it a method of the type (a recursive method is differentiated)"));

    [Fact]
    public void PrimaryConstructorParameter_BPG014_SaysToAssignItToAField() => Verify(Usings + """
        public partial class Scaled(double scale)
        {
            public double W = 0.5;

            [Differentiable]
            public double Loss(double x) => W * x * [|scale|];
        }
        """,
        ("BPG014", "Cannot differentiate the expression 'scale' (the primary constructor parameter 'scale', captured by the class, which dThis has no member to receive a gradient for); assign it to a field ('public double Scale = scale;') and read that to differentiate it, or to a [NoDerivative] field to read it as a constant"));

    [Fact]
    public void LocalFunction_BPG007_WhenItIsMarkedItself() => Verify(Usings + """
        public static partial class Model
        {
            public static double Outer(double x)
            {
                [Differentiable]
                static double [|Local|](double y) => y * y;
                return Local(x);
            }
        }
        """,
        ("BPG007", "Cannot differentiate local function 'Local'; make it a separate [Differentiable] method and call that"));

    /// <summary>One diagnostic per parameter: its uses (a struct's fields, the value) and its type are not reported again.</summary>
    [Fact]
    public void UnsupportedParameter_BPG003_InStructAndParamsSpan_OnceEach() => Verify(Usings + """
        public static partial class Model
        {
            [Differentiable]
            public static double Loss(in System.Numerics.Vector2 [|v|], in double [|s|]) => v.X * s;

            [Differentiable]
            public static double Sum(params ReadOnlySpan<double> [|xs|]) => xs[0];
        }
        """,
        ("BPG003", "Cannot differentiate 'Loss': parameter 'v' is passed by 'in'; remove 'in': the value is read only, and passed by value it is differentiated"),
        ("BPG003", "Cannot differentiate 'Loss': parameter 's' is passed by 'in'; remove 'in': the value is read only, and passed by value it is differentiated"),
        ("BPG003", "Cannot differentiate 'Sum': parameter 'xs' is passed by 'params'; remove 'params' and pass a span (callers write the values as an array or a collection expression)"));

    [Fact]
    public void UnsupportedParameter_BPG003_RefReadonlyIsNamedAsWritten() => Verify(Usings + """
        public static partial class Model
        {
            [Differentiable]
            public static double Loss(double w, ref readonly double [|x|]) => w * x;
        }
        """,
        ("BPG003", "Cannot differentiate 'Loss': parameter 'x' is passed by 'ref readonly'; remove 'ref readonly': the value is read only, and passed by value it is differentiated"));

    [Fact]
    public void GenericMethod_BPG004_OnTypeParameterList() => Verify(Usings + """
        public static partial class Model
        {
            [Differentiable]
            public static double Square[|<T>|](double x) => x * x;
        }
        """,
        ("BPG004", "Cannot differentiate 'Square': a generic [Differentiable] method is not supported; remove [Differentiable] and call it from a non-generic [Differentiable] method, which differentiates it for the double or float it is given, or write one method per element type"));

    [Fact]
    public void GenericMethod_BPG004_Alone_NotOnceMoreForEveryUseOfT() => Verify(Usings + """
        public static partial class Model
        {
            [Differentiable]
            public static double Scale[|<T>|](double x, T factor) where T : System.Numerics.INumber<T> => x * double.CreateChecked(factor) * x;
        }
        """,
        ("BPG004", "Cannot differentiate 'Scale': a generic [Differentiable] method is not supported; remove [Differentiable] and call it from a non-generic [Differentiable] method, which differentiates it for the double or float it is given, or write one method per element type"));

    [Fact]
    public void AsyncOrIterator_BPG005_Async_OnMethodName_WithItsReturnType() => Verify(Usings + """
        using System.Threading.Tasks;

        public static partial class Model
        {
            [Differentiable]
            public static async [|Task<double>|] [|Loss|](double w)
            {
                return w * w;
            }
        }
        """,
        ("BPG002", "Cannot differentiate 'Loss': it returns 'System.Threading.Tasks.Task<double>'; a [Differentiable] method returns double or float, or is a void layer that writes its results into Span<T> parameters"),
        ("BPG005", "Cannot differentiate 'Loss': async methods are not supported; make it a synchronous method that returns the value"));

    [Fact]
    public void AsyncOrIterator_BPG005_Iterator_OnMethodName_WithItsReturnType() => Verify(Usings + """
        using System.Collections.Generic;

        public static partial class Model
        {
            [Differentiable]
            public static [|IEnumerable<double>|] [|Losses|](double w, [NoDerivative] double[] xs)
            {
                for (int i = 0; i < xs.Length; i++)
                    yield return w * xs[i];
            }
        }
        """,
        ("BPG002", "Cannot differentiate 'Losses': it returns 'System.Collections.Generic.IEnumerable<double>'; a [Differentiable] method returns double or float, or is a void layer that writes its results into Span<T> parameters"),
        ("BPG005", "Cannot differentiate 'Losses': iterator methods are not supported; make it a synchronous method that returns the value"));

    [Theory]
    [InlineData("Model.LossGrad")]
    [InlineData("class")]
    [InlineData("Loss")]
    [InlineData("")]
    public void InvalidGradientName_BPG024_OnAttribute(string name) => Verify(Usings + $$"""
        public static partial class Model
        {
            [[|Differentiable(GradientName = "{{name}}")|]]
            public static double Loss(double w, [NoDerivative] double x) => w * x;
        }
        """,
        ("BPG024", $"GradientName '{name}' cannot name the gradient method: it must be a C# identifier that is not a keyword and differs from the method's own name"));

    // ---------------------------------------------------------------- body

    [Fact]
    public void Lambda_BPG006_OnLambda() => Verify(Usings + """
        public static partial class Model
        {
            static double Sum(int n, Func<int, double> term)
            {
                double s = 0;
                for (int i = 0; i < n; i++) s += term(i);
                return s;
            }

            [Differentiable]
            public static double Score(double[] w, [NoDerivative] double[] x) =>
                Sum(x.Length, [|i => w[i] * x[i]|]);
        }
        """,
        ("BPG006", "Cannot differentiate a lambda or anonymous method; move its body into a [Differentiable] method and call that"));

    [Fact]
    public void Lambda_BPG006_AnonymousMethod() => Verify(Usings + """
        public static partial class Model
        {
            static double Apply(Func<double, double> f, double x) => f(x);

            [Differentiable]
            public static double Score(double w) => Apply([|delegate (double v) { return v * v; }|], w);
        }
        """,
        ("BPG006", "Cannot differentiate a lambda or anonymous method; move its body into a [Differentiable] method and call that"));

    /// <summary>
    /// A local function is inlined where it is called; marked [Differentiable] it is BPG007, once, on its name (not again
    /// where it is called), and the method calling it is differentiated through it all the same.
    /// </summary>
    [Theory]
    [InlineData("static ")]
    [InlineData("")]
    public void LocalFunction_BPG007_OnLocalFunctionName_WhenMarked(string modifier) => Verify(Usings + $$"""
        public static partial class Model
        {
            [Differentiable]
            public static double Loss(double w, [NoDerivative] double x, [NoDerivative] double y)
            {
                [Differentiable]
                {{modifier}}double [|Square|](double e) => e * e;
                return Square(w * x - y);
            }
        }
        """,
        new[] { "Model.Loss.g.cs" },
        ("BPG007", "Cannot differentiate local function 'Square'; make it a separate [Differentiable] method and call that"));

    [Theory]
    [InlineData("try", "[|try|] { z = w * w; } catch (ArithmeticException) { z = 0; }")]
    [InlineData("try", "[|try|] { z = w * w; } finally { z += 1; }")]
    [InlineData("using", "[|using|] (var stream = new System.IO.MemoryStream()) { z = w * w; }")]
    [InlineData("using", "[|using|] var stream = new System.IO.MemoryStream();")]
    [InlineData("lock", "[|lock|] (Gate) { z = w * w; }")]
    public void ExceptionHandling_BPG008_OnKeyword(string keyword, string statement) => Verify(Usings + $$"""
        public static partial class Model
        {
            private static readonly object Gate = new();

            [Differentiable]
            public static double Loss(double w)
            {
                double z = w;
                {{statement}}
                return z * w;
            }
        }
        """,
        ("BPG008", $"Cannot differentiate a '{keyword}' statement; move it out of the [Differentiable] method (validate inputs before calling it)"));

    [Fact]
    public void Goto_BPG009_OnGotoAndOnLabel() => Verify(Usings + """
        public static partial class Model
        {
            [Differentiable]
            public static double Norm(double[] w, [NoDerivative] double limit)
            {
                double sum = 0;
                for (int i = 0; i < w.Length; i++)
                {
                    sum += w[i] * w[i];
                    if (sum > limit) [|goto done;|]
                }
            [|done|]:
                return Math.Sqrt(sum);
            }
        }
        """,
        ("BPG009", "Cannot differentiate a 'goto' statement; rewrite it with if, loops, break or continue"),
        ("BPG009", "Cannot differentiate a 'labeled' statement; rewrite it with if, loops, break or continue"));

    [Fact]
    public void UnknownCall_BPG010_OnCall_WhenADerivativePathGoesThroughIt() => Verify(Usings + """
        public static class Activations
        {
            // Inlined, a helper of a type that is not partial would be differentiated; one reading a private member is not.
            private static readonly double One = 1;

            public static double Softplus(double z) => Math.Log(One + Math.Exp(z));
        }

        public static partial class Model
        {
            [Differentiable]
            public static double Loss(double w, [NoDerivative] double x) => [|Activations.Softplus(w * x)|];
        }
        """,
        ("BPG010", "Cannot differentiate the call to 'Activations.Softplus': its derivative is unknown; make 'Activations' partial, so that the derivative of 'Activations.Softplus' can be generated next to it"));

    [Fact]
    public void UnknownCall_BPG010_OnCall_InsideALoopAndBranch() => Verify(Usings + """
        public static partial class Model
        {
            [Differentiable]
            public static double Loss(double[] w, [NoDerivative] double[] x)
            {
                double sum = 0;
                for (int i = 0; i < w.Length; i++)
                {
                    if (x[i] > 0)
                        sum += [|Math.BitIncrement(w[i] * x[i])|];
                }
                return sum;
            }
        }
        """,
        ("BPG010", "Cannot differentiate the call to 'Math.BitIncrement': its derivative is unknown; give 'Math.BitIncrement' a [DerivativeOf] rule, or cut the derivative before the call with Ad.StopGradient"));

    [Fact]
    public void UnknownCall_BPG010_OnCallThatTakesABuffer() => Verify(Usings + """
        public static class Reductions
        {
            private static readonly double Scale = 1;

            public static double Sum(double[] values)
            {
                double s = 0;
                for (int i = 0; i < values.Length; i++) s += values[i] * Scale;
                return s;
            }
        }

        public static partial class Model
        {
            [Differentiable]
            public static double Loss(double[] w) => [|Reductions.Sum(w)|] * 2.0;
        }
        """,
        ("BPG010", "Cannot differentiate the call to 'Reductions.Sum': its derivative is unknown; make 'Reductions' partial, so that the derivative of 'Reductions.Sum' can be generated next to it"));

    [Fact]
    public void UnsupportedExpression_BPG014_ConversionToUint_NamedAsAConversion_NotACall() => Verify(Usings + """
        public static partial class Model
        {
            [Differentiable]
            public static double Bucket(double x, double y) => [|(uint)(x * y)|] + x;
        }
        """,
        ("BPG014", "Cannot differentiate the expression '(uint)(x * y)' (a conversion to 'uint', a type the generator does not model); convert to long instead ('(long)(…)'), whose derivative is zero, as it is for 'uint'"));

    [Fact]
    public void UnsupportedExpression_BPG014_ConversionToUint_AdviceApplied_Builds() => Verify(Usings + """
        public static partial class Model
        {
            [Differentiable]
            public static double Bucket(double x, double [|y|]) => (long)(x * y) + x;
        }
        """,
        ("BPG016", "The result of 'Bucket' does not depend on parameter 'y', which will always have a zero derivative; mark it [NoDerivative] if that is intended"));

    // ---------------------------------------------------------------- a module reached by no member path (its numbers would be constants)

    private const string SubModule = """
        public partial class Sub
        {
            public double Gain = 1.2;
            [Differentiable] public double Score(double x) => Gain * x;
        }

        """;

    [Fact]
    public void HiddenModule_BPG014_MemberOfAnAliasedSubModule() => Verify(Usings + SubModule + """
        public partial class Model
        {
            public Sub Inner = new();
            [Differentiable]
            public double Loss([NoDerivative] double x)
            {
                var s = Inner;
                return Inner.Gain * x + [|s.Gain|] * x;
            }
        }
        """, new[] { "Sub.Score.g.cs", "Sub.[parameters].g.cs" },
        ("BPG014", "Cannot differentiate the expression 's.Gain' (a member read through 's', which does not reach the module by a member path from 'this', so its numbers would be constants); write 'Inner.Gain' instead of going through a local, a call's result, a conditional or a parameter; or mark the member [NoDerivative] if its numbers are data"));

    [Fact]
    public void HiddenModule_BPG014_ConditionalAccessAndCallThroughAnAlias() => Verify(Usings + SubModule + """
        public partial class Model
        {
            public Sub Inner = new();
            [Differentiable]
            public double Loss([NoDerivative] double x)
            {
                var s = Inner;
                return ([|Inner?.Gain|] ?? 0) * x + [|s.Score(x)|];
            }
        }
        """, new[] { "Sub.Score.g.cs", "Sub.[parameters].g.cs" },
        ("BPG014", "Cannot differentiate the expression 'Inner?.Gain' (a member read through 'Inner', which does not reach the module by a member path from 'this', so its numbers would be constants); write 'Inner.Gain' instead of going through a local, a call's result, a conditional or a parameter; or mark the member [NoDerivative] if its numbers are data"),
        ("BPG014", "Cannot differentiate the expression 's.Score(x)' (a call of 'Score(…)' through 's', which does not reach the module by a member path from 'this', so its numbers would be constants); write 'Inner.Score(…)' instead of going through a local, a call's result, a conditional or a parameter; or mark the member [NoDerivative] if its numbers are data"));

    [Fact]
    public void HiddenModule_BPG014_HelperThatAliasesThis_AndThisPassedToAStaticHelper() => Verify(Usings + """
        public partial class Model
        {
            public double Gain = 2;
            [Differentiable]
            public double Loss([NoDerivative] double x) => [|Helper(x)|] + Scaled([|this|], x);
            private double Helper(double x) { var me = this; return me.Gain * x; }
            private static double Scaled(Model m, double x) => m.Gain * x;
        }
        """,
        ("BPG014", "Cannot differentiate the expression 'Helper(x)' (a call of 'Helper', which reads numbers of the module it is called on but cannot be differentiated itself, so they would be constants); mark 'Helper' [Differentiable] to see what stops it, or read the numbers here and pass them to 'Helper' as parameters"),
        ("BPG014", "Cannot differentiate the expression 'this' (the module 'this' passed to 'Scaled', which would read its numbers as constants); pass the numbers 'Scaled' needs as parameters, or make it a method of the module that reads them through 'this'; mark 'm' [NoDerivative] if they are data"));

    [Fact]
    public void HiddenModule_BPG014_ALayerCallOnAChoiceOfModules_AdvisesAnIfStatement() => Verify(Usings + """
        public partial class Lin
        {
            public double[] W = new double[4];
            [Differentiable]
            public void Forward(ReadOnlySpan<double> x, Span<double> y) { for (int i = 0; i < y.Length; i++) y[i] = W[i] * x[i]; }
        }

        public partial class Net
        {
            public Lin A = new(), B = new();
            public bool UseA = true;
            [Differentiable]
            public double Loss([NoDerivative] ReadOnlySpan<double> x)
            {
                Span<double> y = stackalloc double[4];
                [|(UseA ? A : B).Forward(x, y)|];
                return y[0];
            }
        }
        """, new[] { "Lin.Forward.g.cs", "Lin.[parameters].g.cs" },
        ("BPG014", "Cannot differentiate the expression '(UseA ? A : B).Forward(x, y)' (a call of 'Forward(…)' through 'UseA ? A : B', which does not reach the module by a member path from 'this', so its numbers would be constants); choose with an if statement, each branch through its own path: 'if (UseA) … A.Forward(…) …; else … B.Forward(…) …;'"));

    /// <summary>In a loop, BPG036's rewrite declares its buffer before the loop (a stackalloc inside one is CA2014).</summary>
    [Fact]
    public void LayerCalledInPlace_BPG036_InALoop_DeclaresTheBufferBeforeIt() => Verify(Usings + """
        public static partial class Model
        {
            [Differentiable]
            public static void Sq(ReadOnlySpan<double> x, Span<double> y) { for (int i = 0; i < y.Length; i++) y[i] = x[i] * x[i]; }

            [Differentiable]
            public static double Loop(ReadOnlySpan<double> x)
            {
                Span<double> b = stackalloc double[3];
                x.CopyTo(b);
                double s = 0;
                for (int k = 0; k < 2; k++) { [|Sq(b, b)|]; s += b[0]; }
                return s;
            }
        }
        """, new[] { "Model.Sq.g.cs" },
        ("BPG036", "Cannot differentiate 'Sq(b, b)': 'Sq' would write its output 'y' over its input 'x' (both are the buffer 'b'), and its derivative needs the input and the output in separate memory; write the output into another buffer and copy it back: 'Span<double> yOut = stackalloc double[b.Length]; /* before the loop */ Sq(b, yOut); yOut.CopyTo(b);'"));

    /// <summary>What stays allowed: data read through an alias (integers, strings), helpers that read no numbers of the module, paths.</summary>
    [Fact]
    public void HiddenModule_DataThroughAnAlias_AndPaths_AreNotReported() => Verify(Usings + SubModule + """
        public partial class Model
        {
            public Sub Inner = new();
            public int Steps = 3;
            public string Name = "m";
            public double Gain = 0.5;
            public Log Journal = new();
            [Differentiable]
            public double Loss([NoDerivative] double x)
            {
                var me = this;
                var log = Journal;
                log.Write(x);
                double s = Inner.Gain * x + Inner.Score(x) + me.Steps + Name.Length + log.Count;
                return s * Helper(x) + Counted(x);
            }
            private double Helper(double x) => Gain * x;
            private double Counted(double x) { try { return x * Steps; } catch (System.Exception) { return 0; } }
        }

        public class Log
        {
            public int Count;
            public void Write(double value) => Count++;
        }
        """, Array.Empty<(string, string)>());

    /// <summary>A class that holds numbers only through a sub-module (an encoder of layers) is a module too.</summary>
    [Fact]
    public void HiddenModule_BPG014_ThroughAnAliasOfAContainerModule() => Verify(Usings + SubModule + """
        public partial class Encoder
        {
            public Sub Inner = new();
            public double Twice(double x) => 2 * Inner.Score(x);
        }

        public partial class Model
        {
            public Encoder Enc = new();
            [Differentiable]
            public double Loss([NoDerivative] double x)
            {
                var e = Enc;
                return [|e.Twice(x)|];
            }
        }
        """, new[] { "Sub.Score.g.cs", "Sub.[parameters].g.cs" },
        ("BPG014", "Cannot differentiate the expression 'e.Twice(x)' (a call of 'Twice(…)' through 'e', which does not reach the module by a member path from 'this', so its numbers would be constants); write 'Enc.Twice(…)' instead of going through a local, a call's result, a conditional or a parameter; or mark the member [NoDerivative] if its numbers are data"));

    [Fact]
    public void Recursion_BPG011_InAStructMethod_OnRecursiveCall() => Verify(Usings + """
        public struct Pt
        {
            public double X;
            public Pt Halve(int n) => n == 0 ? this : [|new Pt { X = X / 2 }.Halve(n - 1)|];
        }

        public static partial class Model
        {
            [Differentiable]
            public static double Half(Pt p) => p.Halve(3).X;
        }
        """,
        ("BPG011", "Cannot differentiate 'Halve': it calls itself, and a method that takes or returns a struct is differentiated by inlining its body; rewrite the recursion as a loop, or recurse in a helper over the struct's numbers"));

    [Fact]
    public void ForEach_BPG012_OverAListOfDifferentiatedValues_OnForeachKeyword() => Verify(Usings + """
        public static partial class Model
        {
            [Differentiable]
            public static double SumOfSquares(double[] w)
            {
                var squares = new System.Collections.Generic.List<double>();
                for (int i = 0; i < w.Length; i++) squares.Add(w[i] * w[i]);
                double sum = 0;
                [|foreach|] (double s in squares)
                    sum += s;
                return sum;
            }
        }
        """,
        ("BPG012", "Cannot differentiate a 'foreach' loop over 'System.Collections.Generic.List<double>': its values depend on differentiated values, and their derivatives cannot pass through it; keep them in a double[] or Span<double> (new double[n], stackalloc double[n]) and loop over that"));

    [Fact]
    public void ForEach_BPG012_DeconstructingLoopVariable_OnForeachKeyword() => Verify(Usings + """
        public static partial class Model
        {
            [Differentiable]
            public static double Sum(double w, [NoDerivative] System.Collections.Generic.List<(double, double)> pairs)
            {
                double sum = 0;
                [|foreach|] (var (a, b) in pairs)
                    sum += w * a * b;
                return sum;
            }
        }
        """,
        ("BPG012", "Cannot differentiate a 'foreach' loop over 'System.Collections.Generic.List<(double, double)>': its loop variable deconstructs each element; declare one variable and deconstruct it in the body ('foreach (var item in items) { var (a, b) = item; … }')"));

    [Fact]
    public void Switch_BPG013_NotExhaustive_OnWholeExpression() => Verify(Usings + """
        public static partial class Model
        {
            [Differentiable]
            public static double Activate(double z, [NoDerivative] int kind) =>
        #pragma warning disable CS8509
                [|kind switch { 0 => Math.Tanh(z), 1 => Math.Max(z, 0.0) }|];
        }
        """,
        ("BPG013", "Cannot differentiate this switch expression: some values match no arm, and then it throws; add a discard arm '_ => …' for them"));

    [Fact]
    public void Switch_BPG013_BreakBeforeTheEndOfASection_OnTheBreak() => Verify(Usings + """
        public static partial class Model
        {
            [Differentiable]
            public static double Activate(double z, [NoDerivative] int kind)
            {
                double y = z;
                switch (kind)
                {
                    case 0:
                        if (z < 0) [|break;|]
                        y = Math.Tanh(z);
                        break;
                    default:
                        y = z * z;
                        break;
                }
                return y;
            }
        }
        """,
        ("BPG013", "Cannot differentiate this switch section: it breaks before its end; end the section with its only break, and guard what comes before it with if/else"));

    [Fact]
    public void BufferOfADataObject_IsReadAsWritten_WithoutDiagnostics() => Verify(Usings + """
        public sealed class Table { public double[] Values = { 1, 2 }; }

        public static partial class Model
        {
            [Differentiable]
            public static double Loss(double x, [NoDerivative] Table table) => x * table.Values[0];
        }
        """, Array.Empty<Expected>());

    [Fact]
    public void MemberWrite_BPG023_IntoAStaticArray() => Verify(Usings + """
        public static partial class Model
        {
            private static readonly double[] Last = new double[1];

            [Differentiable]
            public static double Loss(double x)
            {
                [|Last[0]|] = x;
                return x * x;
            }
        }
        """,
        ("BPG023", "Cannot differentiate the assignment to 'Last[0]'; a [Differentiable] method may only assign its own locals and parameters"));

    [Fact]
    public void UnsupportedExpression_BPG014_ElementOfASlice() => Verify(Usings + """
        public static partial class Model
        {
            [Differentiable]
            public static double Loss(ReadOnlySpan<double> x) => [|x.Slice(1)[0]|] * x[0];
        }
        """,
        ("BPG014", "Cannot differentiate the expression 'x.Slice(1)[0]' (an element access); index a double/float array or span parameter with an int"));

    [Fact]
    public void MemberOfAnotherObject_IsDataReadAsWritten() => Verify(Usings + """
        public sealed record TrainingOptions(double L2);

        public static partial class Model
        {
            [Differentiable]
            public static double Loss(double w, [NoDerivative] double x, [NoDerivative] double y, TrainingOptions options)
            {
                double e = w * x - y;
                return e * e + options.L2 * w * w;
            }
        }
        """, Array.Empty<(string, string)>());

    [Fact]
    public void UnsupportedExpression_BPG014_AssignmentUsedAsValueThatMayNotRun() => Verify(Usings + """
        public static partial class Model
        {
            [Differentiable]
            public static double Loss(double w, bool first)
            {
                double a = 0;
                double b = first ? w : [|a = w * w|];
                return b + a;
            }
        }
        """,
        ("BPG014", "Cannot differentiate the expression 'a = w * w' (an assignment or increment inside &&, || or ?:, which may not run); assign in a statement of its own before the condition"));

    [Fact]
    public void UnsupportedStatement_BPG015_ChangeOfAnElementTheStatementReadBefore() => Verify(Usings + """
        public static partial class Model
        {
            [Differentiable]
            public static double Loss(double w)
            {
                Span<double> a = stackalloc double[2];
                double b = a[0] + ([|a[0] = w * w|]);
                return b + a[0];
            }
        }
        """,
        ("BPG015", "Cannot differentiate the statement 'a[0] = w * w' (a change of an element of a buffer that the same statement reads before it); change the element in a statement of its own"));

    [Fact]
    public void UnsupportedStatement_BPG015_ChangeOfAVariableTheStatementReadBefore() => Verify(Usings + """
        public static partial class Model
        {
            [Differentiable]
            public static double Loss(double w, int i) => w * (i + [|i++|]);
        }
        """,
        ("BPG015", "Cannot differentiate the statement 'i++' (a change of a variable that the same statement reads before it); change the variable in a statement of its own"));

    [Fact]
    public void UnsupportedExpression_BPG014_BitwiseOperator() => Verify(Usings + """
        public static partial class Model
        {
            [Differentiable]
            public static double Loss(double w, [NoDerivative] int mask)
            {
                int bit = [|mask & 1|];
                return bit > 0 ? w * w : w;
            }
        }
        """,
        ("BPG014", "Cannot differentiate the expression 'mask & 1' (a bitwise operator); use && or || on booleans"));

    [Fact]
    public void ParameterOfAnotherType_IsDataReadAsWritten() => Verify(Usings + """
        public static partial class Model
        {
            [Differentiable]
            public static double Loss(double w, decimal scale, string name) => w * (double)scale + name.Length;
        }
        """, Array.Empty<(string, string)>());

    [Fact]
    public void CodeWithCompilerErrors_GetsTheCompilersErrorsOnly_NoGeneratorNoise()
    {
        var outcome = GeneratorHarness.Run(Usings + """
            public static partial class Model
            {
                [Differentiable]
                public static double Loss(double w, decimal offset) => w * Math.Sine(w) + offset + Undefined(w);
            }
            """);
        Assert.Empty(outcome.GeneratorDiagnostics);
        Assert.Empty(outcome.Sources);
        Assert.Contains(outcome.CompilationDiagnostics, d => d.Id == "CS0117");
    }

    /// <summary>
    /// A typo, or a construct the generator reports, in a method whose gradient is called elsewhere: the build shows that
    /// error and nothing more. The gradient and pullback exist as placeholders with their signatures (throwing if run), so
    /// their calls add no CS0117 of their own.
    /// </summary>
    [Fact]
    public void MethodWithErrors_CallsOfItsGradientAndPullback_AddNoErrors()
    {
        var outcome = GeneratorHarness.Run(Usings + """
            public static partial class Model
            {
                [Differentiable]
                public static double Loss(double w, [NoDerivative] double x, double[] b, int n) => w * Math.Sine(x) + b[n];

                [Differentiable]
                public static double Bad(double w) { try { return w * w; } catch (Exception) { return 0; } }

                public static double Train(double[] b)
                {
                    double value = LossGradient(0.5, 1.0, b, 0, out double dW, new double[b.Length]);
                    value += LossPullback(0.5, 1.0, b, 0, 1.0, ref dW, Span<double>.Empty);
                    return value + BadGradient(2.0, out double dBad) + dBad;
                }
            }
            """);
        Assert.Equal(new[] { "CS0117" }, outcome.CompilationDiagnostics.Select(d => d.Id));
        Assert.Contains("Sine", outcome.CompilationDiagnostics.Single().GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Equal(new[] { "BPG008" }, outcome.GeneratorDiagnostics.Select(d => d.Id));
        Assert.Equal(new[] { "Model.Bad.g.cs", "Model.Loss.g.cs" }, outcome.Placeholders.Select(p => p.HintName).OrderBy(h => h, StringComparer.Ordinal));
        Assert.Empty(outcome.Sources);
    }

    /// <summary>A method with more modes gets the gradient's and pullback's placeholders too (found by a probe).</summary>
    [Fact]
    public void MethodWithErrorsAndMoreModes_CallsOfItsGradient_AddNoErrors()
    {
        var outcome = GeneratorHarness.Run(Usings + """
            public static partial class Model
            {
                [Differentiable(Forward = true, Hessian = true)]
                public static double Loss(double w, [NoDerivative] double x) => w * Math.Sine(x);

                public static double Train() => LossGradient(0.5, 1.0, out double dW) + dW;
            }
            """);
        Assert.Equal(new[] { "CS0117" }, outcome.CompilationDiagnostics.Select(d => d.Id));
        Assert.Contains("Sine", outcome.CompilationDiagnostics.Single().GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Equal(new[] { "Model.Loss.g.cs" }, outcome.Placeholders.Select(p => p.HintName));
    }

    /// <summary>
    /// No placeholder where the signature is not the declaration's alone (a layer: its outputs; a model's method: dThis), nor
    /// where a parameter's type has a typo (the placeholder would repeat that error).
    /// </summary>
    [Fact]
    public void LayerWithErrors_OrAParameterTypeWithATypo_GetsNoPlaceholder()
    {
        var outcome = GeneratorHarness.Run(Usings + """
            public static partial class Model
            {
                [Differentiable]
                public static void Layer(ReadOnlySpan<double> x, Span<double> y) { for (int i = 0; i < y.Length; i++) y[i] = Math.Sine(x[i]); }

                [Differentiable]
                public static double Scaled(double x, Sclae s) => x;
            }
            """);
        Assert.Empty(outcome.Placeholders);
        Assert.Empty(outcome.Sources);
        Assert.Equal(new[] { "CS0117", "CS0246" }, outcome.CompilationDiagnostics.Select(d => d.Id).OrderBy(id => id, StringComparer.Ordinal));
    }

    [Fact]
    public void NoDerivativeBufferPassedToDifferentiatedParameter_IsSupported()
    {
        var outcome = GeneratorHarness.Run(Usings + """
            public static partial class Model
            {
                [Differentiable]
                public static double Dot(double[] a, double[] b)
                {
                    double s = 0;
                    for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
                    return s;
                }

                [Differentiable]
                public static double Loss(double[] w, [NoDerivative] double[] x) => Dot(w, x);
            }
            """);
        Assert.Empty(outcome.GeneratorDiagnostics);
        Assert.Empty(outcome.CompilationDiagnostics);
        Assert.Equal(new[] { "Model.Dot.g.cs", "Model.Loss.g.cs" }, outcome.Sources.Select(s => s.HintName).OrderBy(n => n));
    }

    [Fact]
    public void UnsupportedStatement_BPG015_DiscardedDerivative_OnCall() => Verify(Usings + """
        public static partial class Model
        {
            [Differentiable]
            public static double Square(double x) => x * x;

            [Differentiable]
            public static double Loss(double w)
            {
                [|Square(w)|];
                return w * 3;
            }
        }
        """,
        new[] { "Model.Square.g.cs" },
        ("BPG015", "Cannot differentiate the statement 'Square(w)' (a call of 'Square', whose derivative the generator would compute, with its result discarded); use its result, or remove the call"));

    [Fact]
    public void UnsupportedStatement_BPG015_CallThatCouldWriteADifferentiatedBuffer_OnCall() => Verify(Usings + """
        public static partial class Model
        {
            [Differentiable]
            public static double Loss(double[] w)
            {
                [|Array.Sort(w)|];
                return w[0] * w[1];
            }
        }
        """,
        ("BPG015", "Cannot differentiate the statement 'Array.Sort(w)' (a call that could write into the buffer 'w', which 'Array.Sort' takes as 'double[]', and the gradient reads or differentiates that buffer without seeing the writes); pass it as a ReadOnlySpan if the call only reads it, or write the elements in the method ('w[i] = ...')"));

    [Fact]
    public void UnsupportedStatement_BPG015_CallThatCouldChangeAVariableThroughRef_OnCall() => Verify(Usings + """
        public static partial class Model
        {
            [Differentiable]
            public static double Loss(double w)
            {
                double total = w * w;
                [|System.Threading.Interlocked.Exchange(ref total, 1.0)|];
                return total * w;
            }
        }
        """,
        ("BPG015", "Cannot differentiate the statement 'System.Threading.Interlocked.Exchange(ref total, 1.0)' (a call that could change 'total' through its ref argument, and the gradient tracks that variable (its value, and its derivative if it has one) without seeing the change); pass the value, and assign what the call computes in the method ('total = ...')"));

    [Fact]
    public void UnknownCall_BPG010_TupleValuedCallOfAnotherAssemblyOnADifferentiatedValue() => Verify(Usings + """
        public static partial class Model
        {
            [Differentiable]
            public static double Loss(double x, double y)
            {
                var (s, c) = [|Math.SinCos(x)|];
                var (q, r) = Math.DivRem(3, 2);
                return s * c * y * q * r;
            }
        }
        """,
        ("BPG010", "Cannot differentiate the call to 'Math.SinCos': its derivative is unknown; give 'Math.SinCos' a [DerivativeOf] rule, or cut the derivative before the call with Ad.StopGradient"));

    [Fact]
    public void UnsupportedStatement_BPG015_MethodWithoutBody_OnMethodName() => Verify(Usings + """
        public abstract partial class Model
        {
            [Differentiable]
            public abstract double [|Loss|](double w);
        }
        """,
        ("BPG015", "Cannot differentiate the statement 'Loss' (a method without a body); give the method a body"));

    [Fact]
    public void ZeroDerivative_BPG016_OnParameter_AndTheGradientIsStillGenerated()
    {
        var outcome = Verify(Usings + """
            public static partial class Model
            {
                [Differentiable]
                public static double Relu(double w, double [|threshold|], [NoDerivative] double x)
                {
                    double z = w * x;
                    return z > threshold ? z : 0.0;
                }
            }
            """,
            ("BPG016", "The result of 'Relu' does not depend on parameter 'threshold', which will always have a zero derivative; mark it [NoDerivative] if that is intended"));
        Assert.Equal(new[] { "Model.Relu.g.cs" }, outcome.Sources.Select(s => s.HintName));
        Assert.Empty(outcome.CompilationDiagnostics);
    }

    [Fact]
    public void UnsupportedLocalType_BPG018_AListOfDifferentiatedValuesReadBack_OnDeclarator() => Verify(Usings + """
        public static partial class Model
        {
            [Differentiable]
            public static double Loss(double w)
            {
                var [|squares = new System.Collections.Generic.List<double>()|];
                squares.Add(w * w);
                Console.WriteLine(squares.Count);
                return squares[0] + w;
            }
        }
        """,
        ("BPG018", "Cannot differentiate local 'squares' of type 'System.Collections.Generic.List<double>'; it holds values computed from differentiated values, and a 'System.Collections.Generic.List<double>' cannot carry their derivatives back into the result; keep one value in a double or float local, several in a double[] or Span<double> (new double[n], stackalloc double[n])"));

    [Fact]
    public void UnsupportedStatement_BPG015_ADifferentiatedBufferPassedAsASpan_OnCall() => Verify(Usings + """
        public static partial class Model
        {
            [Differentiable]
            public static double Loss(double[] w)
            {
                [|Random.Shared.Shuffle(w.AsSpan())|];
                return w[0] * w[1];
            }
        }
        """,
        ("BPG015", "Cannot differentiate the statement 'Random.Shared.Shuffle(w.AsSpan())' (a call that could write into the buffer 'w', which 'Random.Shuffle' takes as 'System.Span<double>', and the gradient reads or differentiates that buffer without seeing the writes); pass it as a ReadOnlySpan if the call only reads it, or write the elements in the method ('w[i] = ...')"));

    [Fact]
    public void UnsupportedLocalType_BPG018_ADifferentiatedValueInADecimal_OnDeclarator() => Verify(Usings + """
        public static partial class Model
        {
            [Differentiable]
            public static double Loss(double w)
            {
                decimal [|exact = (decimal)w|];
                return (double)exact * 2;
            }
        }
        """,
        ("BPG018", "Cannot differentiate local 'exact' of type 'decimal'; it holds values computed from differentiated values, and a 'decimal' cannot carry their derivatives back into the result; keep one value in a double or float local, several in a double[] or Span<double> (new double[n], stackalloc double[n])"));

    [Fact]
    public void UnsupportedExpression_BPG014_PatternVariableOfAnotherTypeReadOutsideTheTest_OnTheTest() => Verify(Usings + """
        public static partial class Model
        {
            [Differentiable]
            public static double Loss(double w, [NoDerivative] object tag)
            {
                if ([|tag is string name|]) return w * name.Length;
                return w;
            }
        }
        """,
        ("BPG014", "Cannot differentiate the expression 'tag is string name' (a pattern test on 'tag' that declares 'name', which is read outside the test); test the type alone, then convert: 'tag is string ? (string)tag : …'"));

    [Fact]
    public void Throw_BPG019_Statement_OnThrow() => Verify(Usings + """
        public static partial class Model
        {
            [Differentiable]
            public static double Loss(double[] w, [NoDerivative] double[] x)
            {
                if (x.Length != w.Length)
                    [|throw new ArgumentException("x and w must have the same length", nameof(x));|]
                double z = 0;
                for (int i = 0; i < w.Length; i++) z += w[i] * x[i];
                return z * z;
            }
        }
        """,
        ("BPG019", "Cannot differentiate a 'throw'; validate arguments in a wrapper before calling the [Differentiable] method"));

    [Fact]
    public void Throw_BPG019_Expression_OnThrowExpression() => Verify(Usings + """
        public static partial class Model
        {
            [Differentiable]
            public static double Loss(double w) => w > 0 ? w * w : [|throw new ArgumentOutOfRangeException(nameof(w))|];
        }
        """,
        ("BPG019", "Cannot differentiate a 'throw'; validate arguments in a wrapper before calling the [Differentiable] method"));

    [Fact]
    public void WrittenBufferParameters_OfAMethodReturningAValue_WorkOnACopy_ReportNothing() => Verify(Usings + """
        public static partial class Model
        {
            [Differentiable]
            public static double Loss(double[] w, [NoDerivative] double[] x, [NoDerivative] double[] y, [NoDerivative] double[] predictions)
            {
                double loss = 0;
                for (int i = 0; i < x.Length; i++)
                {
                    predictions[i] = w[0] * x[i] + w[1];
                    double e = predictions[i] - y[i];
                    loss += e * e;
                }
                return loss;
            }

            [Differentiable]
            public static double Bump(Span<double> w)
            {
                w[0] += 1.0;
                return w[0] * w[0];
            }
        }
        """, Array.Empty<(string, string)>());

    [Fact]
    public void ActiveIndex_BPG029_OnIndex() => Verify(Usings + """
        public static partial class Model
        {
            [Differentiable]
            public static double Lookup(double x, [NoDerivative] double[] table)
            {
                int k = (int)(x * 10);
                return x * table[[|k|]];
            }
        }
        """,
        ("BPG029", "Cannot differentiate the index 'k': it depends on a differentiated value, and an index has no derivative; compute the index from integers or [NoDerivative] inputs"));

    [Fact]
    public void ActiveIndex_BPG029_OnStoreIndex() => Verify(Usings + """
        public static partial class Model
        {
            [Differentiable]
            public static double Bucket(double x)
            {
                Span<double> counts = stackalloc double[4];
                counts[[|(int)Math.Abs(x) % 4|]] = x * x;
                return counts[0] + counts[1] + counts[2] + counts[3];
            }
        }
        """,
        ("BPG029", "Cannot differentiate the index '(int)Math.Abs(x) % 4': it depends on a differentiated value, and an index has no derivative; compute the index from integers or [NoDerivative] inputs"));

    [Fact]
    public void GeneratedGradientCalled_InsideADifferentiableMethod_BPG033_AtTheName() => Verify(Usings + """
        public static partial class Model
        {
            [Differentiable]
            public static double Energy(double x, double y) => x * x * y;

            [Differentiable(Forward = true)]
            public static double Spring(double x) => x * x;

            [Differentiable]
            public static double GradientNorm(double x, double y)
            {
                [|EnergyGradient|](x, y, out double dx, out double dy);
                return dx * dx + dy * dy + Model.[|SpringTangent|](x, 1, out double t) * t;
            }
        }
        """,
        new[] { "Model.Energy.g.cs", "Model.Spring.g.cs" },
        ("BPG033", "'EnergyGradient' is a derivative Backprop.Gen generates for 'Energy': differentiating it would be a second-order derivative, which does not go through a call; for Hessian-vector products put [Differentiable(Hessian = true)] on 'Energy' and call EnergyHessianVectorProduct, or, to use its value as data, compute it outside this method and pass it in as a [NoDerivative] parameter"),
        ("BPG033", "'SpringTangent' is a derivative Backprop.Gen generates for 'Spring': differentiating it would be a second-order derivative, which does not go through a call; for Hessian-vector products put [Differentiable(Hessian = true)] on 'Spring' and call SpringHessianVectorProduct, or, to use its value as data, compute it outside this method and pass it in as a [NoDerivative] parameter"));

    [Fact]
    public void FloatingPointParameterWithoutGradientForm_BPG034_UnlessNoDerivative() => Verify("using System;\nusing System.Collections.Generic;\nusing Backprop;\n\n" + """
        public static partial class Model
        {
            [Differentiable]
            public static double Energy(ReadOnlySpan<double> w, double[][] [|coupling|])
            {
                double e = 0;
                for (int i = 0; i < coupling.Length; i++)
                    for (int j = 0; j < coupling[i].Length; j++) e += coupling[i][j] * w[i] * w[j];
                return e;
            }

            [Differentiable]
            public static double Fit(double a, List<float> [|ys|]) => a * a + ys.Count;

            [Differentiable]
            public static double Data(double a, [NoDerivative] double[][] rows, [NoDerivative] List<double> ys, string label) =>
                a * rows.Length + ys.Count + label.Length;
        }
        """,
        new[] { "Model.Data.g.cs" },
        ("BPG034", "Cannot differentiate 'Energy': parameter 'coupling' of type 'double[][]' holds floating-point values that would get a gradient, which this type cannot carry yet; mark it [NoDerivative] to use it as data, or pass the values as a flat ReadOnlySpan<double> (row by row for a matrix)"),
        ("BPG034", "Cannot differentiate 'Fit': parameter 'ys' of type 'List<float>' holds floating-point values that would get a gradient, which this type cannot carry yet; mark it [NoDerivative] to use it as data, or pass the values as a flat ReadOnlySpan<float> (row by row for a matrix)"));

    [Fact]
    public void TwoDimensionalArrays_WrittenClearedOrLocal_AreLocatedErrors() => Verify(Usings + """
        public static partial class Model
        {
            public static double Sum(double[,] m) => m[0, 0] + m[1, 1];

            // Inlined: its parameter is the caller's matrix.
            [Differentiable]
            public static double Passed(double[,] w) => w[0, 0] * Sum(w);

            [Differentiable]
            public static double Written(double[,] w, double x)
            {
                [|w[0, 1]|] = x;
                return w[0, 1] * w[1, 0];
            }

            [Differentiable]
            public static double Cleared(double[,] w, double x)
            {
                Array.Clear([|w|]);
                return w[0, 1] * x;
            }

            [Differentiable(Forward = true)]
            public static double Tangent(double[,] [|w|]) => w[0, 0] * w[0, 1];

            [Differentiable]
            public static double Local(double x)
            {
                double[,] [|h = new double[2, 2]|];
                h[0, 0] = x;
                return h[0, 0] * x;
            }
        }
        """,
        new[] { "Model.Passed.g.cs" },
        ("BPG021", "Cannot differentiate the write to 'w[0, 1]'; the elements of the two-dimensional array 'w' are read-only here; write the results into a local array or a Span<T> output instead"),
        ("BPG014", "Cannot differentiate the expression 'w' (the two-dimensional array 'w' used as a whole (passed to a method or assigned)); read its elements here ('w[i, j]', 'w.GetLength(0)'), or pass its numbers as a flat double[] or span, row by row"),
        ("BPG015", "Cannot differentiate the statement 'Tangent' (Forward = true with the two-dimensional array parameter 'w', not supported yet); remove Forward = true, or pass its numbers as a flat ReadOnlySpan<double>, row by row"),
        ("BPG018", "Cannot differentiate local 'h' of type 'double[,]'; it holds values computed from differentiated values, and a 'double[,]' cannot carry their derivatives back into the result; keep one value in a double or float local, several in a double[] or Span<double> (new double[n], stackalloc double[n])"));

    [Fact]
    public void CopyWithinOneBuffer_BPG014_AtTheCall() => Verify(Usings + """
        public static partial class Model
        {
            [Differentiable]
            public static double Shift(ReadOnlySpan<double> w)
            {
                Span<double> t = stackalloc double[4];
                w.CopyTo(t);
                [|t.Slice(0, 3).CopyTo(t.Slice(1, 3))|];
                return t[3] * t[0];
            }
        }
        """,
        ("BPG014", "Cannot differentiate the expression 't.Slice(0, 3).CopyTo(t.Slice(1, 3))' (a copy within one buffer); copy through a second buffer, or write the loop"));

    [Fact]
    public void GotoCaseCycle_BPG009_AtTheJumpBack() => Verify(Usings + """
        public static partial class Model
        {
            [Differentiable]
            public static double F(double x, int k)
            {
                double s = x;
                switch (k)
                {
                    case 0:
                        s *= 2;
                        goto case 1;
                    case 1:
                        s += x;
                        if (s > 10) break;
                        [|goto case 0;|]
                }
                return s;
            }
        }
        """,
        ("BPG009", "Cannot differentiate a 'goto case that jumps back to a section it came from' statement; rewrite it with if, loops, break or continue"));

    [Fact]
    public void ParamsCallee_AndLinqOnDifferentiatedValues_AreNamedInTheUsersWords() => Verify("using System;\nusing System.Linq;\nusing Backprop;\n\n" + """
        public static partial class Model
        {
            static double SumAll(params double[] v) { double s = 0; foreach (var a in v) s += a; return s; }

            [Differentiable]
            public static double Packed(double x) => [|SumAll(x, x * x)|];

            [Differentiable]
            public static double Mean(double[] w, [NoDerivative] double[] data) => [|w.Sum()|] / w.Length + data.Average();
        }
        """,
        ("BPG014", "Cannot differentiate the expression 'SumAll(x, x * x)' (a call of 'SumAll', which packs its arguments into a 'params' array); give 'SumAll' one parameter per value, or a ReadOnlySpan<double> parameter and pass a buffer"),
        ("BPG010", "Cannot differentiate the call to 'Enumerable.Sum': its derivative is unknown; LINQ is not differentiated: write it as a loop over the buffer (LINQ on [NoDerivative] data is fine), or use Backprop.Ops (Ops.Sum, Ops.Dot, Ops.LogSumExp)"));

    /// <summary>
    /// Second derivatives inline the methods a method calls (Energy is fine); BPG032 is left for what cannot be inlined: a
    /// callee with a [DerivativeOf] rule, recursion, a member of another type the method may not see, and layers.
    /// </summary>
    [Fact]
    public void HessianOnALayer_OrThroughCallsThatCannotBeInlined_BPG032_AtTheAttribute() => Verify(Usings + """
        public static partial class Tables
        {
            private static readonly double[] Weights = { 0.5, 1.5 };

            public static double Weighted(double x) => Weights[0] * x + Weights[1] * x * x;
        }

        public static partial class Model
        {
            [Differentiable]
            public static double Pair(double a, double b) => a * b;

            public static double Erf(double x) => x * (1 - x * x / 3);

            [DerivativeOf(typeof(Model), nameof(Erf))]
            public static void ErfReverse(double x, double result, double dResult, ref double dX) => dX += dResult * (1 - x * x);

            static double Even(double x, int n) => n <= 0 ? x : Odd(x * 0.5, n - 1);

            static double Odd(double x, int n) => n <= 0 ? x * x : Even(x, n - 1);

            [Differentiable(Hessian = true)]
            public static double Energy(double x, double y) => Pair(x, y) + x * x;

            [[|Differentiable(Hessian = true)|]]
            public static double Smooth(double x) => Erf(x) * x;

            [[|Differentiable(Hessian = true)|]]
            public static double Halving(double x) => Even(x, 4);

            [[|Differentiable(Hessian = true)|]]
            public static double Tabled(double x) => Tables.Weighted(x);

            [[|Differentiable(Hessian = true)|]]
            public static void Layer(ReadOnlySpan<double> x, Span<double> y) { for (int i = 0; i < x.Length; i++) y[i] = x[i] * x[i]; }

            [Differentiable(Hessian = true)]
            public static double Fine(double x, double y) => Math.Exp(x * y) + Math.Pow(x, 3);
        }
        """,
        new[] { "Model.Energy.g.cs", "Model.Fine.g.cs", "Model.Pair.g.cs" },
        ("BPG032", "'Smooth' cannot get Hessian = true: it calls 'Erf', whose derivative is a [DerivativeOf] rule: a rule gives first derivatives only, and second derivatives need the body of 'Erf'; or remove Hessian = true"),
        ("BPG032", "'Halving' cannot get Hessian = true: it calls 'Even', which is recursive (Even → Odd → Even), and second derivatives inline the methods they call; write the recursion as a loop; or remove Hessian = true"),
        ("BPG032", "'Tabled' cannot get Hessian = true: it calls 'Weighted', which reads 'Tables.Weights', and 'Tabled' is in another type, where it may not be visible; pass the value to 'Weighted' as a [NoDerivative] parameter, or move 'Weighted' beside 'Tabled'; or remove Hessian = true"),
        ("BPG032", "'Layer' cannot get Hessian = true: it is a layer (a void method); Hessians are of scalar methods; or remove Hessian = true"));

    [Fact]
    public void NonDifferentiableArgument_BPG030_OnScalarArgument() => Verify(Usings + """
        public static partial class Model
        {
            [Differentiable]
            public static double Scale([NoDerivative] double k, double x) => k * x;

            [Differentiable]
            public static double F(double a) => Scale([|a * 2|], 3.0);
        }
        """,
        new[] { "Model.Scale.g.cs" },
        ("BPG030", "Cannot differentiate through the argument 'a * 2' of 'Scale': it depends on differentiated values, but the parameter 'k' is marked [NoDerivative], so its derivative would be lost; remove [NoDerivative] from 'k', or cut the derivative on purpose with Ad.StopGradient(a * 2)"));

    [Fact]
    public void NonDifferentiableArgument_BPG030_OnSpanArgument_AndLayerInput() => Verify(Usings + """
        public static partial class Model
        {
            [Differentiable]
            public static double Dot([NoDerivative] ReadOnlySpan<double> u, ReadOnlySpan<double> v)
            {
                double s = 0;
                for (int i = 0; i < u.Length; i++) s += u[i] * v[i];
                return s;
            }

            [Differentiable]
            public static void Shift([NoDerivative] ReadOnlySpan<double> offset, ReadOnlySpan<double> x, Span<double> y)
            {
                for (int i = 0; i < x.Length; i++) y[i] = x[i] + offset[i];
            }

            [Differentiable]
            public static double F(ReadOnlySpan<double> a, [NoDerivative] ReadOnlySpan<double> half)
            {
                Span<double> sq = stackalloc double[2];
                Span<double> shifted = stackalloc double[2];
                for (int i = 0; i < 2; i++) sq[i] = a[i] * a[i];
                Shift([|sq|], half, shifted);
                return Dot([|sq|], half) + shifted[0];
            }
        }
        """,
        new[] { "Model.Dot.g.cs", "Model.Shift.g.cs" },
        ("BPG030", "Cannot differentiate through the argument 'sq' of 'Shift': it depends on differentiated values, but the parameter 'offset' is marked [NoDerivative], so its derivative would be lost; remove [NoDerivative] from 'offset'"),
        ("BPG030", "Cannot differentiate through the argument 'sq' of 'Dot': it depends on differentiated values, but the parameter 'u' is marked [NoDerivative], so its derivative would be lost; remove [NoDerivative] from 'u'"));

    [Fact]
    public void NonDifferentiableArgument_NotReported_ForData() => Verify(Usings + """
        public static partial class Model
        {
            [Differentiable]
            public static double Scale([NoDerivative] double k, double x) => k * x;

            [Differentiable]
            public static double F(double a, [NoDerivative] double c, int n) => Scale(c * n, a) + Scale(2.0, a);
        }
        """, Array.Empty<(string, string)>());

    [Fact]
    public void RefLocal_ReBound_BPG014_AndBoundToACall_BPG014() => Verify(Usings + """
        public static partial class Model
        {
            private static double s_cell;

            private static ref double Cell() => ref s_cell;

            [Differentiable]
            public static double F(double x, double y)
            {
                ref double a = ref x;
                [|a = ref y|];
                ref double c = ref [|Cell()|];
                return a * x;
            }
        }
        """,
        ("BPG014", "Cannot differentiate the expression 'a = ref y' (a ref local re-bound to another variable); declare a new ref local for the other variable ('ref double b = ref y;')"),
        ("BPG014", "Cannot differentiate the expression 'Cell()' (a ref local bound to something other than a local, a parameter or an element); bind it to a local, a parameter or an element ('ref double a = ref x;', 'ref double r = ref w[i];'), or use a plain local and assign it back"));

    [Fact]
    public void RefLocal_ForEachRef_OverABuffer_IsItsElement_NoDiagnostic() => Verify(Usings + """
        public static partial class Model
        {
            [Differentiable]
            public static double F(double x)
            {
                Span<double> w = stackalloc double[2];
                foreach (ref double e in w) e = x;
                return w[0] + w[1];
            }
        }
        """, Array.Empty<(string, string)>());

    [Fact]
    public void MemberThatCannotReceiveItsGradient_BPG014_SaysToMarkIt() => Verify(Usings + """
        public partial class Model
        {
            private readonly double _scale = 2;
            public double Bias { get; } = 0.5;
            public double Twice => 2 * _weight;
            private double _weight = 1;
            [NoDerivative] private readonly double _constant = 3;

            [Differentiable]
            public double Loss(double x) => [|_scale|] * x + [|Bias|] + [|Twice|] + _constant * _weight;
        }
        """,
        ("BPG014", "Cannot differentiate the expression '_scale' (the readonly field '_scale', into which dThis cannot add its gradient); mark '_scale' [NoDerivative] to read it as a constant, or make it a settable field or auto-property to differentiate it"),
        ("BPG014", "Cannot differentiate the expression 'Bias' (the get-only property 'Bias', into which dThis cannot add its gradient); mark 'Bias' [NoDerivative] to read it as a constant, or make it a settable field or auto-property to differentiate it"),
        ("BPG014", "Cannot differentiate the expression 'Twice' (the computed property 'Twice', whose getter is not differentiated); mark 'Twice' [NoDerivative] to read it as a constant, or make it a settable field or auto-property to differentiate it"));

    /// <summary>
    /// Tangent rules: a wrong shape is BPG031 on the rule with the tangent signature; Forward = true through a rule without
    /// a tangent rule, or a tangent rule without a reverse rule, is an error at the call giving the rule to add.
    /// </summary>
    [Fact]
    public void TangentRules_WrongShape_Missing_AndAlone_AreLocated() => Verify(Usings + """
        public static class Special
        {
            public static double Gain(double x, ReadOnlySpan<double> w) => x * w[0];

            public static double Bump(double x) => x * x;

            public static double Soft(double x) => x / (1 + x * x);
        }

        public static class Rules
        {
            [DerivativeOf(typeof(Special), nameof(Special.Gain))]
            public static void GainReverse(double x, ReadOnlySpan<double> w, double result, double dResult, ref double dX, Span<double> dW) => dX += dResult * w[0];

            [DerivativeOf(typeof(Special), nameof(Special.Gain))]
            public static double [|GainTangent|](double x, ReadOnlySpan<double> w, double tX, out double tResult) { tResult = tX * w[0]; return x * w[0]; }

            [DerivativeOf(typeof(Special), nameof(Special.Bump))]
            public static void BumpReverse(double x, double result, double dResult, ref double dX) => dX += dResult * 2 * x;

            [DerivativeOf(typeof(Special), nameof(Special.Soft))]
            public static double SoftTangent(double x, double tX, out double tResult) { tResult = tX; return x; }
        }

        public static partial class Model
        {
            [Differentiable(Forward = true)]
            public static double F(double x, [NoDerivative] double[] w) => Special.Gain(x, w);

            [Differentiable(Forward = true)]
            public static double G(double x) => [|Special.Bump(x)|];

            [Differentiable]
            public static double H(double x) => [|Special.Soft(x)|];
        }
        """,
        ("BPG031", "The rule 'GainTangent' does not match 'Special.Gain(double, System.ReadOnlySpan<double>)': a [DerivativeOf] rule of it must be 'static double GainTangent(double x, System.ReadOnlySpan<double> w, double tX, System.ReadOnlySpan<double> tW, out double tResult)'"),
        ("BPG014", "Cannot differentiate the expression 'Special.Bump(x)' (a call of 'Bump', which has a [DerivativeOf] reverse rule but no tangent rule, in a method with Forward = true); add a tangent rule '[DerivativeOf(typeof(Special), nameof(Special.Bump))] static double BumpTangent(double x, double tX, out double tResult)', or remove Forward = true"),
        ("BPG014", "Cannot differentiate the expression 'Special.Soft(x)' (a call of 'Soft', which has a [DerivativeOf] tangent rule but no reverse rule (a gradient needs one)); add a reverse rule '[DerivativeOf(typeof(Special), nameof(Special.Soft))] static void SoftReverse(double x, double result, double dResult, ref double dX)'"));

    /// <summary>
    /// A helper of another type calling a method through a tangent rule the root may not see: BPG035 with advice that
    /// works (marking the helper Forward = true, so that its own tangent calls the rule, builds clean).
    /// </summary>
    [Fact]
    public void TangentRuleInAHelperOfAnotherType_BPG035_AndTheAdviceBuilds()
    {
        const string helper = """
            public static partial class Geo
            {
                public static double Bump(double x) => x * x;

                [DerivativeOf(typeof(Geo), nameof(Bump))]
                private static void BumpReverse(double x, double result, double dResult, ref double dX) => dX += dResult * 2 * x;

                [DerivativeOf(typeof(Geo), nameof(Bump))]
                private static double BumpTangent(double x, double tX, out double tResult) { tResult = 2 * x * tX; return x * x; }

            """;
        const string rest = """
                public static double Lift(double x) => Bump(x) + x;
            }

            public static partial class Model
            {
                [[|Differentiable(Forward = true)|]]
                public static double F(double x) => Geo.Lift(x) * x;
            }
            """;
        Verify(Usings + helper + rest,
            ("BPG035", "'F' cannot get Forward = true: it calls 'Bump', whose tangent rule 'Geo.BumpTangent' may not be visible from 'F' in another type; mark the method that calls 'Bump' [Differentiable(Forward = true)], so that its own tangent calls the rule; or remove Forward = true"));
        var fixedSource = MarkedSource.Parse(Usings + helper + rest.Replace("public static double Lift", "[Differentiable(Forward = true)]\n    public static double Lift", StringComparison.Ordinal)).Text;
        Assert.Empty(GeneratorHarness.Run(fixedSource).GeneratorDiagnostics);
        GeneratorHarness.CompileAndLoad(fixedSource);
    }

    [Fact]
    public void CustomRuleMismatch_BPG031_OnTheRule_NamingTheExpectedSignature() => Verify(Usings + """
        public static class Special
        {
            public static double Gain(double x, int n, ReadOnlySpan<double> w) => x * n * w[0];

            public static void Half(ReadOnlySpan<double> x, Span<double> y) { for (int i = 0; i < x.Length; i += 2) y[i] = x[i] * x[i]; }
        }

        public static class Rules
        {
            [DerivativeOf(typeof(Special), nameof(Special.Gain))]
            public static void [|GainReverse|](double x, int n, ReadOnlySpan<double> w, double dResult, ref double dX) => dX += dResult * n * w[0];

            // A layer rule without the input's gradient.
            [DerivativeOf(typeof(Special), nameof(Special.Half))]
            public static void [|HalfReverse|](ReadOnlySpan<double> x, Span<double> y, ReadOnlySpan<double> dY) { }
        }

        public static partial class Model
        {
            [Differentiable]
            public static double F(double x, [NoDerivative] double[] w) => Special.Gain(x, 2, w);

            [Differentiable]
            public static double G(ReadOnlySpan<double> x)
            {
                Span<double> y = stackalloc double[2];
                Special.Half(x, y);
                return y[0];
            }
        }
        """,
        ("BPG031", "The rule 'GainReverse' does not match 'Special.Gain(double, int, System.ReadOnlySpan<double>)': a [DerivativeOf] rule of it must be 'static void GainReverse(double x, int n, System.ReadOnlySpan<double> w, double result, double dResult, ref double dX, System.Span<double> dW)'"),
        ("BPG031", "The rule 'HalfReverse' does not match 'Special.Half(System.ReadOnlySpan<double>, System.Span<double>)': a [DerivativeOf] rule of it must be 'static void HalfReverse(System.ReadOnlySpan<double> x, System.Span<double> y, System.ReadOnlySpan<double> dY, System.Span<double> dX)'"));

    /// <summary>
    /// Forward mode calls a callee's own tangent or inlines its body (Square, a [Differentiable] method without
    /// Forward = true, is fine); BPG035 is left for what cannot be inlined: a helper calling a method with a [DerivativeOf]
    /// rule, recursion, a member of another type the method may not see. A rule called directly stays BPG014.
    /// </summary>
    [Fact]
    public void ForwardMode_ThroughCallsThatCannotBeInlined_BPG035_AtTheAttribute() => Verify(Usings + """
        public static partial class Tables
        {
            private static readonly double[] Weights = { 0.5, 1.5 };

            public static double Weighted(double x) => Weights[0] * x + Weights[1] * x * x;

            [Differentiable(Forward = true)]
            public static double Scaled(double x) => Weights[0] * x * x;
        }

        public static partial class Model
        {
            [Differentiable]
            public static double Square(double x) => x * x;

            public static double Erf(double x) => x * (1 - x * x / 3);

            [DerivativeOf(typeof(Model), nameof(Erf))]
            public static void ErfReverse(double x, double result, double dResult, ref double dX) => dX += dResult * (1 - x * x);

            static double Wrapped(double x) => Erf(x) + x;

            static double Even(double x, int n) => n <= 0 ? x : Odd(x * 0.5, n - 1);

            static double Odd(double x, int n) => n <= 0 ? x * x : Even(x, n - 1);

            [Differentiable(Forward = true)]
            public static double F(double x) => Square(x) + Tables.Scaled(x);

            [[|Differentiable(Forward = true)|]]
            public static double Smooth(double x) => Wrapped(x) * x;

            [[|Differentiable(Forward = true)|]]
            public static double Halving(double x) => Even(x, 4);

            [[|Differentiable(Forward = true)|]]
            public static double Tabled(double x) => Tables.Weighted(x);

            [Differentiable(Forward = true)]
            public static double Direct(double x) => [|Erf(x)|];
        }
        """,
        new[] { "Model.F.g.cs", "Model.Square.g.cs", "Tables.Scaled.g.cs" },
        ("BPG035", "'Smooth' cannot get Forward = true: it calls 'Erf', whose derivative is a [DerivativeOf] rule without a tangent rule, and forward mode needs one; add a tangent rule for 'Erf' (value-returning methods only); or remove Forward = true"),
        ("BPG035", "'Halving' cannot get Forward = true: it calls 'Even', which is recursive (Even → Odd → Even), and forward mode inlines the methods it calls; write the recursion as a loop; or remove Forward = true"),
        ("BPG035", "'Tabled' cannot get Forward = true: it calls 'Weighted', which reads 'Tables.Weights', and 'Tabled' is in another type, where it may not be visible; pass the value to 'Weighted' as a [NoDerivative] parameter, or move 'Weighted' beside 'Tabled'; or remove Forward = true"),
        ("BPG014", "Cannot differentiate the expression 'Erf(x)' (a call of 'Erf', which has a [DerivativeOf] reverse rule but no tangent rule, in a method with Forward = true); add a tangent rule '[DerivativeOf(typeof(Model), nameof(Model.Erf))] static double ErfTangent(double x, double tX, out double tResult)', or remove Forward = true"));

    /// <summary>
    /// Jacobian = true alone asks for no forward mode: a layer forward mode cannot follow (the calls of BPG035 above) reports
    /// nothing and keeps its reverse sweeps (no private tangent); one it can follow gets a private tangent for its forward
    /// sweeps, and no public MTangent.
    /// </summary>
    [Fact]
    public void JacobianOnlyLayer_ThroughCallsForwardModeCannotFollow_ReportsNothing_AndKeepsReverseSweeps()
    {
        var outcome = Verify(Usings + """
            public static partial class Tables
            {
                private static readonly double[] Weights = { 0.5, 1.5 };

                public static double Weighted(double x) => Weights[0] * x + Weights[1] * x * x;
            }

            public static partial class Model
            {
                public static double Erf(double x) => x * (1 - x * x / 3);

                [DerivativeOf(typeof(Model), nameof(Erf))]
                public static void ErfReverse(double x, double result, double dResult, ref double dX) => dX += dResult * (1 - x * x);

                static double Wrapped(double x) => Erf(x) + x;

                static double Even(double x, int n) => n <= 0 ? x : Odd(x * 0.5, n - 1);

                static double Odd(double x, int n) => n <= 0 ? x * x : Even(x, n - 1);

                [Differentiable(Jacobian = true)]
                public static void Smooth(double x, Span<double> y) { for (int i = 0; i < y.Length; i++) y[i] = Wrapped(x * i); }

                [Differentiable(Jacobian = true)]
                public static void Halving(double x, Span<double> y) { for (int i = 0; i < y.Length; i++) y[i] = Even(x * i, 4); }

                [Differentiable(Jacobian = true)]
                public static void Tabled(double x, Span<double> y) { for (int i = 0; i < y.Length; i++) y[i] = Tables.Weighted(x * i); }

                [Differentiable(Jacobian = true)]
                public static void Direct(double x, Span<double> y) { for (int i = 0; i < y.Length; i++) y[i] = Erf(x * i); }

                [Differentiable(Jacobian = true)]
                public static void Followed(double x, Span<double> y) { for (int i = 0; i < y.Length; i++) y[i] = Math.Sin(x * i); }
            }
            """, Array.Empty<(string, string)>());
        Assert.Empty(outcome.CompilationDiagnostics);
        foreach (string name in new[] { "Smooth", "Halving", "Tabled", "Direct" })
        {
            string text = outcome.Sources.Single(s => s.HintName == "Model." + name + ".g.cs").Text;
            Assert.DoesNotContain("Tangent(", text);
            Assert.DoesNotContain("columns < rows", text);
        }
        string followed = outcome.Sources.Single(s => s.HintName == "Model.Followed.g.cs").Text;
        // Its forward sweeps take vector mode (its body has no calls), so no one-direction tangent is emitted.
        Assert.Contains("private static void FollowedJacobianLanes(", followed);
        Assert.DoesNotContain("FollowedJacobianTangent(", followed);
        Assert.DoesNotContain("FollowedTangent(", followed);
        Assert.Contains("columns < rows", followed);
    }

    /// <summary>Struct parameters and spans of structs have forward mode, Jacobians and Hessians: nothing is reported.</summary>
    [Fact]
    public void StructParameters_AndSpansOfStructs_InEveryMode_ReportNothing() => Verify(Usings + """
        public struct Vec2 { public double X, Y; }

        public static partial class Model
        {
            [Differentiable(Forward = true, Jacobian = true)]
            public static double Fine(Vec2 p, double k) => k * p.X * p.Y;

            [Differentiable(Hessian = true)]
            public static double Curved(Vec2 p) => p.X * p.X * p.Y;

            [Differentiable(Forward = true, Jacobian = true, Hessian = true)]
            public static double Many(ReadOnlySpan<Vec2> points) => points[0].X * points[1].Y;
        }
        """, Array.Empty<(string, string)>());

    [Fact]
    public void GradientNameCollision_BPG025_WithTheTangentAndJacobianNames() => Verify(Usings + """
        public static partial class Model
        {
            [[|Differentiable(Forward = true)|]]
            public static double F(double x) => x * x;

            public static double FTangent(double x, double t, out double tF) { tF = 2 * x * t; return x * x; }

            [[|Differentiable(Jacobian = true)|]]
            public static double G(double x) => x * x;

            public static void GJacobian() { }

            [[|Differentiable(Jacobian = true)|]]
            public static void H(double x, Span<double> y) => y[0] = x * x;

            public static void HJacobianTangent() { }
        }
        """,
        ("BPG025", "Cannot emit the gradient of 'F': the name 'FTangent' is already taken by the member 'Model.FTangent(double, double, out double)'; rename 'FTangent' (the generated method needs its name) or the method"),
        ("BPG025", "Cannot emit the gradient of 'G': the name 'GJacobian' is already taken by the member 'Model.GJacobian()'; rename 'GJacobian' (the generated method needs its name) or the method"),
        ("BPG025", "Cannot emit the gradient of 'H': the name 'HJacobianTangent' is already taken by the member 'Model.HJacobianTangent()'; rename 'HJacobianTangent' (the generated method needs its name) or the method"));

    [Fact]
    public void NestedBuffer_BPG027_OnDeclarator() => Verify(Usings + """
        public static partial class Model
        {
            [Differentiable]
            public static double Loss(double w, int n)
            {
                double s = 0;
                for (int t = 0; t < n; t++)
                {
                    Span<double> [|scratch = stackalloc double[t + 1]|];
                    scratch[0] = w * t;
                    s += scratch[0];
                }
                return s;
            }
        }
        """,
        ("BPG027", "Cannot differentiate the buffer 'scratch' declared inside a block or after a return: its length must be known when the method starts; size it with constants, lengths of parameters or int parameters the method does not assign"));

    [Fact]
    public void OutputAlsoRead_BPG028_OnParameter() => Verify(Usings + """
        public static partial class Model
        {
            [Differentiable]
            public static void Scale(ReadOnlySpan<double> x, double a, Span<double> [|y|])
            {
                for (int i = 0; i < x.Length; i++)
                    y[i] = a * x[i] + y[i];
            }
        }
        """,
        ("BPG028", "Cannot differentiate 'Scale': the span 'y' is written and also read; read inputs from one span and write results into another"));

    [Fact]
    public void UnsupportedExpression_BPG014_BufferInitializerFromACall_NamesTheWaysThatWork() => Verify(Usings + """
        public static partial class Model
        {
            static double[] Make(int n) => new double[n];

            [Differentiable]
            public static double Loss(double x)
            {
                double[] c = [|Make(2)|];
                c[0] = x;
                return c[0] * x;
            }
        }
        """,
        ("BPG014", "Cannot differentiate the expression 'Make(2)' (an initializer of the buffer 'c' that is neither an allocation, a list of values nor a copy of a buffer); allocate it with 'stackalloc T[n]' or 'new T[n]', list its values ('[x, y]'), or copy a buffer ('(double[])w.Clone()')"));

    [Fact]
    public void ForEach_BPG012_OverASpanReturnedByACall_NamesTheCall_AndTheIndexedLoopBuilds()
    {
        Verify("using System;\nusing System.Collections.Generic;\nusing System.Runtime.InteropServices;\nusing Backprop;\n\n" + """
            public static partial class Model
            {
                [Differentiable]
                public static double Sum(double x, [NoDerivative] List<double> list)
                {
                    double s = 0;
                    [|foreach|] (ref readonly var v in CollectionsMarshal.AsSpan(list)) s += v * x;
                    return s;
                }
            }
            """,
            ("BPG012", "Cannot differentiate a 'foreach' loop over 'System.Span<double>': it loops over 'CollectionsMarshal.AsSpan(list)', a span returned by a call, which the generator does not model; use an indexed for loop over the collection it views, or pass its values as a [NoDerivative] double[] parameter"));
        Verify("using System;\nusing System.Collections.Generic;\nusing Backprop;\n\n" + """
            public static partial class Model
            {
                [Differentiable]
                public static double Sum(double x, [NoDerivative] List<double> list)
                {
                    double s = 0;
                    for (int i = 0; i < list.Count; i++) s += list[i] * x;
                    return s;
                }
            }
            """, Array.Empty<(string, string)>());
    }

    [Fact]
    public void UnsupportedStore_BPG021_BufferParameterReassigned() => Verify(Usings + """
        public static partial class Model
        {
            [Differentiable]
            public static double Loss(double[] w, [NoDerivative] double[] x)
            {
                [|w|] = x;
                return w[0];
            }
        }
        """,
        ("BPG021", "Cannot differentiate the write to 'w'; buffer parameters cannot be reassigned; index the parameter directly"));

    [Fact]
    public void MemberWrite_BPG023_OnAssignedField() => Verify(Usings + """
        public static partial class Model
        {
            public static double LastLoss;

            [Differentiable]
            public static double Loss(double w, [NoDerivative] double x, [NoDerivative] double y)
            {
                double e = w * x - y;
                [|LastLoss|] = e * e;
                return e * e;
            }
        }
        """,
        ("BPG023", "Cannot differentiate the assignment to 'LastLoss'; a [Differentiable] method may only assign its own locals and parameters"));

    [Fact]
    public void MemberWrite_BPG023_IncrementOfProperty() => Verify(Usings + """
        public static partial class Model
        {
            public static int Calls { get; set; }

            [Differentiable]
            public static double Loss(double w)
            {
                [|Calls|]++;
                return w * w;
            }
        }
        """,
        ("BPG023", "Cannot differentiate the assignment to 'Calls'; a [Differentiable] method may only assign its own locals and parameters"));

    // ---------------------------------------------------------------- several problems, no partial output

    [Fact]
    public void SeveralProblemsInOneMethod_AreAllReportedInOneRun_AndOnlyTheValidMethodIsGenerated()
    {
        var outcome = Verify(Usings + """
            public static partial class Model
            {
                [Differentiable]
                public static double Loss(double[] w, [NoDerivative] double limit, [NoDerivative] System.Collections.Generic.List<(double, double)> extra)
                {
                    double sum = w[0];
                    [|foreach|] (var (a, b) in extra)
                        sum += a * b * w[0];
                    if (sum > limit)
                        [|throw new InvalidOperationException("diverged");|]
                    [|Array.Reverse(w)|];
                    return sum;
                }

                [Differentiable]
                public static double Square(double x) => x * x;
            }
            """,
            new[] { "Model.Square.g.cs" },
            ("BPG012", "Cannot differentiate a 'foreach' loop over 'System.Collections.Generic.List<(double, double)>': its loop variable deconstructs each element; declare one variable and deconstruct it in the body ('foreach (var item in items) { var (a, b) = item; … }')"),
            ("BPG019", "Cannot differentiate a 'throw'; validate arguments in a wrapper before calling the [Differentiable] method"),
            ("BPG015", "Cannot differentiate the statement 'Array.Reverse(w)' (a call that could write into the buffer 'w', which 'Array.Reverse' takes as 'double[]', and the gradient reads or differentiates that buffer without seeing the writes); pass it as a ReadOnlySpan if the call only reads it, or write the elements in the method ('w[i] = ...')"));
        Assert.DoesNotContain("LossGradient", outcome.Sources[0].Text, StringComparison.Ordinal);
    }

    [Fact]
    public void DeclarationAndBodyProblems_AreReportedTogether() => Verify(Usings + """
        public static class Model
        {
            [Differentiable]
            public static double [|Loss|](double w, out double [|copy|])
            {
                copy = w;
                [|goto end;|]
            [|end|]:
                return w;
            }
        }
        """,
        ("BPG001", "Cannot generate the gradient of 'Loss': its containing type 'Model' is not partial; declare it 'partial' so the generated gradient can be added beside the method"),
        ("BPG003", "Cannot differentiate 'Loss': parameter 'copy' is passed by 'out'; pass it by value and return the result"),
        ("BPG009", "Cannot differentiate a 'goto' statement; rewrite it with if, loops, break or continue"),
        ("BPG009", "Cannot differentiate a 'labeled' statement; rewrite it with if, loops, break or continue"));

    // ---------------------------------------------------------------- BPG036: a layer's output over its input

    /// <summary>
    /// A layer called with an input and an output in the same buffer would get a wrong gradient (its reverse sweep reads the
    /// overwritten input; input gradient and output adjoint are one span): BPG036 at the call, for a layer, a library rule,
    /// overlapping slices, an unmarked helper and a sub-module's layer. Slices provably apart (an RNN's steps) are fine.
    /// </summary>
    [Fact]
    public void LayerCalledInPlace_BPG036_AtTheCall_UnlessTheSlicesAreApart() => Verify(Usings + """
        public static partial class Model
        {
            [Differentiable]
            public static void Sq(ReadOnlySpan<double> x, Span<double> y) { for (int i = 0; i < x.Length; i++) y[i] = x[i] * x[i]; }

            [Differentiable]
            public static void Shift(ReadOnlySpan<double> x, Span<double> y) { for (int i = 0; i < y.Length; i++) y[i] = Math.Sin(x[i]) + x[(i + 1) % x.Length]; }

            static void Twice(ReadOnlySpan<double> x, Span<double> y) { for (int i = 0; i < y.Length; i++) y[i] = 2 * x[i]; }

            [Differentiable]
            public static double InPlace(ReadOnlySpan<double> x, int k)
            {
                Span<double> b = stackalloc double[7];
                x.CopyTo(b);
                [|Sq(b, b)|];
                [|Ops.Tanh(b, b)|];
                [|Shift(b.Slice(1, 6), b.Slice(0, 6))|];
                [|Twice(b, b)|];
                [|Sq(b[k..(k + 2)], b[..2])|];
                double s = 0;
                for (int i = 0; i < 7; i++) s += b[i] * (i + 1);
                return s;
            }

            [Differentiable]
            public static double Apart(ReadOnlySpan<double> x, int n)
            {
                Span<double> h = stackalloc double[3 * n];
                for (int i = 0; i < n; i++) h[i] = x[i];
                for (int t = 0; t < 2; t++) Sq(h.Slice(t * n, n), h.Slice((t + 1) * n, n));
                Shift(h.Slice(0, 3), h[3..6]);
                double s = 0;
                for (int i = 0; i < h.Length; i++) s += h[i];
                return s;
            }
        }

        public partial class Net
        {
            public double[] W = { 1, 2, 3 };

            [Differentiable]
            public void Forward(ReadOnlySpan<double> x, Span<double> y) { for (int i = 0; i < y.Length; i++) y[i] = W[i] * x[i]; }
        }

        public partial class Stack
        {
            public Net Layer = new();

            [Differentiable]
            public double Loss(ReadOnlySpan<double> x)
            {
                Span<double> b = stackalloc double[3];
                x.CopyTo(b);
                [|Layer.Forward(b, b)|];
                return b[0] + b[1] * b[2];
            }
        }
        """,
        new[] { "Model.Apart.g.cs", "Model.Shift.g.cs", "Model.Sq.g.cs", "Net.Forward.g.cs", "Net.[parameters].g.cs" },
        ("BPG036", "Cannot differentiate 'Sq(b, b)': 'Sq' would write its output 'y' over its input 'x' (both are the buffer 'b'), and its derivative needs the input and the output in separate memory; write the output into another buffer and copy it back: 'Span<double> yOut = stackalloc double[b.Length]; Sq(b, yOut); yOut.CopyTo(b);'"),
        ("BPG036", "Cannot differentiate 'Ops.Tanh(b, b)': 'Ops.Tanh' would write its output 'y' over its input 'x' (both are the buffer 'b'), and its derivative needs the input and the output in separate memory; write the output into another buffer and copy it back: 'Span<double> yOut = stackalloc double[b.Length]; Ops.Tanh(b, yOut); yOut.CopyTo(b);'"),
        ("BPG036", "Cannot differentiate 'Shift(b.Slice(1, 6), b.Slice(0, 6))': 'Shift' would write its output 'y' over its input 'x' ('b.Slice(1, 6)' and 'b.Slice(0, 6)' overlap in the buffer 'b'), and its derivative needs the input and the output in separate memory; write the output into another buffer and copy it back: 'Span<double> yOut = stackalloc double[6]; Shift(b.Slice(1, 6), yOut); yOut.CopyTo(b.Slice(0, 6));'"),
        ("BPG036", "Cannot differentiate 'Twice(b, b)': 'Twice' would write its output 'y' over its input 'x' (both are the buffer 'b'), and its derivative needs the input and the output in separate memory; write the output into another buffer and copy it back: 'Span<double> yOut = stackalloc double[b.Length]; Twice(b, yOut); yOut.CopyTo(b);'"),
        ("BPG036", "Cannot differentiate 'Sq(b[k..(k + 2)], b[..2])': 'Sq' would write its output 'y' over its input 'x' ('b[k..(k + 2)]' and 'b[..2]' are parts of the buffer 'b' that may overlap), and its derivative needs the input and the output in separate memory; write the output into another buffer and copy it back: 'Span<double> yOut = stackalloc double[2]; Sq(b[k..(k + 2)], yOut); yOut.CopyTo(b[..2]);'"),
        ("BPG036", "Cannot differentiate 'Layer.Forward(b, b)': 'Layer.Forward' would write its output 'y' over its input 'x' (both are the buffer 'b'), and its derivative needs the input and the output in separate memory; write the output into another buffer and copy it back: 'Span<double> yOut = stackalloc double[b.Length]; Layer.Forward(b, yOut); yOut.CopyTo(b);'"));

    // ---------------------------------------------------------------- errors must not surface as compile errors in generated code

    [Fact]
    public void CallOfADifferentiableMethodThatFailed_IsReportedOnTheCall_NotAsACompileErrorInGeneratedCode()
    {
        var marked = MarkedSource.Parse(Usings + """
            public static partial class Model
            {
                [Differentiable]
                public static double Bad(double x)
                {
                    object boxed = x;
                    return x * (double)boxed;
                }

                [Differentiable]
                public static double Caller(double w) => [|Bad(w)|] * 2;
            }
            """);
        var outcome = GeneratorHarness.Run(marked.Text);

        Assert.Empty(outcome.CompilationDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error && d.Location.SourceTree?.FilePath.Contains("Backprop.Generator") == true));
        Assert.Contains(outcome.GeneratorDiagnostics, d => d.Severity == DiagnosticSeverity.Error && d.Location.SourceSpan == marked.Spans[0]);
    }

    [Fact]
    public void GradientNameCollision_IsReportedOnTheAttribute_NotAsACompileErrorInGeneratedCode()
    {
        var marked = MarkedSource.Parse(Usings + """
            public static partial class Model
            {
                [Differentiable(GradientName = "G")]
                public static double F(double x) => x * x;

                [[|Differentiable(GradientName = "G")|]]
                public static double H(double x) => x * x * x;
            }
            """);
        var outcome = GeneratorHarness.Run(marked.Text);

        Assert.Empty(outcome.CompilationDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
        Assert.Contains(outcome.GeneratorDiagnostics, d => d.Id == "BPG025" && d.Location.SourceSpan == marked.Spans[0]);
    }

    // ---------------------------------------------------------------- BPG017: nothing escapes

    public static TheoryData<string> OddInputs() => new()
    {
        // Broken user code, as the IDE sees it mid-edit.
        "[Differentiable] public static double F(double x) { return x * ; }",
        "[Differentiable] public static double F(double x) { return x * missing; }",
        "[Differentiable] public static double F(Missing m, double x) => x;",
        "[Differentiable] public static double F(double x) { double y = x; }",
        "[Differentiable] public static double F(double x) { }",
        "[Differentiable] public static double F(double x)",
        "[Differentiable] public static double F(double x) { return Missing.Call(x); }",
        "[Differentiable] public static double F(double x) { return x.Foo; }",
        // Valid C# outside the supported subset.
        "[Differentiable] public static double F(double[] w) => w[^1] * w[0];",
        "[Differentiable] public static double F(double[] w) => w[1..].Length * w[0];",
        "[Differentiable] public static double F(double x) => checked(x * 2);",
        "[Differentiable] public static double F(double x) => x is > 0 and < 1 ? x : 0;",
        "[Differentiable] public static double F(double x) { double y = default; return y + x; }",
        "[Differentiable] public static double F(double x) { string s = $\"{x}\"; return x * s.Length; }",
        "[Differentiable] public static double F(double x) => nameof(x).Length * x;",
        "[Differentiable] public static double F(double x) { Span<double> s = stackalloc double[2]; s[0] = x; return s[0]; }",
        "[Differentiable] public static double F(double x) { double.TryParse(\"1\", out var v); return x * v; }",
        "[Differentiable] public static double F(double[] w) { ref double r = ref w[0]; return r; }",
        "[Differentiable] public static double F(double x) { (double, double) t = (x, x); return t.Item1; }",
        "[Differentiable] public static double F(double x) { while (true) { x = x * 0.5; } }",
        "[Differentiable] public static double F(double x) { for (;;) { if (x > 1) break; x *= 2; } return x; }",
        "[Differentiable] public static double F(double[] w) { for (int i = 0; i < w.Length; i++) for (int j = 0; j < w.Length; j++) { if (w[i] * w[j] > 1) return w[i] * w[j]; if (j > i) continue; } return 0; }",
        "[Differentiable] public static double F(double x) { do { x = Math.Sin(x); if (x < 0) continue; if (x > 0.5) break; } while (x > 0.1); return x; }",
        "[Differentiable] public static double F(double x) { const double c = 2; return c * x; }",
        "[Differentiable] public static double F(double x) { float f = 1; f += (float)x; long n = 3; return f * n; }",
        "[Differentiable] public static double F(double x) { double y = x++; return x * y; }",
        "[Differentiable] public static double F(double x) { bool b = x > 0 && !(x > 2); return b ? x : -x; }",
        "[Differentiable] public static double F(double x) => x is double d ? d : 0;",
        "[Differentiable] public static double F(double x) => typeof(double).Name.Length * x;",
        "[Differentiable] public static double F(double x = 1.0) => x * x;",
        "[Differentiable] public static double F() => 1.0;",
        "[Differentiable] public static double F([NoDerivative] double x) => x;",
        "[Differentiable] public static double F(double x) { ; ; return (x); }",
        "[Differentiable] public static double F(double x) => -(-x) % 2.0;",
        "[Differentiable] public static double F(double x) => Math.Clamp(x, 0, 1) + Math.Round(x) + Math.Sign(x);",
        "[Differentiable] public static double F(double x) => new Random(1).NextDouble() * x;",
        "[Differentiable] public static double F(double x) => double.NaN + Math.PI * x + double.MaxValue;",
        "[Differentiable] public static double F(Span<double> w) => w.Slice(1)[0];",
        "[Differentiable] public static float F(ReadOnlySpan<float> w) => w.Length * w[0];",
        "[Differentiable] public static double F(double x) { double result = x; double dX = 2 * x; return result * dX; }",
        "[Differentiable] public static double F(double x, double dX, double result) => x * dX * result;",
        "[Differentiable] public static double F(double x) => x; [Differentiable] public static double F(float x) => x;",
        "[Differentiable] public static double A(double x) => x > 1 ? B(x / 2) : x; [Differentiable] public static double B(double x) => A(x) * 2;",
        "[Differentiable] public double F(double x) => x * Scale; public double Scale = 2;",
        "[Differentiable] public static double F(double x) => x + " + string.Join(" + ", Enumerable.Range(0, 200).Select(i => "x * " + i)) + ";",
        "[Differentiable] public static double F(double x) { " + string.Concat(Enumerable.Range(0, 40).Select(_ => "if (x > 0) { x = x * 0.5; ")) + new string('}', 40) + " return x; }",
        "[Differentiable] public static double F(double x) { switch (x) { case > 0: goto case 0.0; case 0.0: return x; default: return -x; } }",
        "[Differentiable] public static double F(double x) { Func<double, double> f = e => e * e; return f(x); }",
        "[Differentiable] extern public static double F(double x);",
        "[Differentiable] static partial double F(double x); static partial double F(double x) => x * x;",
        "[Differentiable] public static double operator_(double x) => x; [Differentiable] public static double @double(double @in) => @in * @in;",
    };

    [Theory]
    [MemberData(nameof(OddInputs))]
    public void OddInput_NoExceptionEscapes_AndNoInternalError(string members)
    {
        string source = Usings + "public static partial class Model\n{\n" + members + "\n}\n";
        var driver = GeneratorHarness.Driver().RunGenerators(GeneratorHarness.Compilation(source));
        var result = driver.GetRunResult().Results.Single();
        Assert.Null(result.Exception);
        Assert.DoesNotContain(result.Diagnostics, d => d.Id == "BPG017");
    }

    [Theory]
    [InlineData("public static partial class Model<T> { [Differentiable] public static double F(double x) => x * x; }")]
    [InlineData("public partial struct Model { [Differentiable] public readonly double F(double x) => x * x; }")]
    [InlineData("public ref partial struct Model { [Differentiable] public double F(double x) => x * x; }")]
    [InlineData("public partial record Model(double W) { [Differentiable] public double F(double x) => x * W; }")]
    [InlineData("public partial interface IModel { [Differentiable] static double F(double x) => x * x; }")]
    [InlineData("public static partial class Ext { [Differentiable] public static double F(this double x) => x * x; }")]
    [InlineData("namespace A.B { public static partial class Outer { private static partial class Inner { [Differentiable] internal static double F(double x) => x * x; } } }")]
    public void OddContainingType_NoExceptionEscapes_AndNoInternalError(string source)
    {
        var driver = GeneratorHarness.Driver().RunGenerators(GeneratorHarness.Compilation(Usings + source));
        var result = driver.GetRunResult().Results.Single();
        Assert.Null(result.Exception);
        Assert.DoesNotContain(result.Diagnostics, d => d.Id == "BPG017");
    }

    [Fact]
    public void ExceptionWhileDifferentiating_BPG017_WithoutLocation_AndNoSource()
    {
        // No input is known to make the generator throw (each would be a bug to fix), so a valid method's model is
        // broken by hand: its result names a variable that does not exist.
        var compilation = GeneratorHarness.Compilation(Usings + "public static partial class Model { [Differentiable] public static double F(double x) => x * x; }");
        var run = GeneratorHarness.Driver().RunGenerators(compilation).GetRunResult().Results.Single();
        var model = (Discovery.MethodModel)run.TrackedSteps[TrackingNames.Models].Single().Outputs.Single().Value;
        var broken = model with { Method = model.Method! with { Result = model.Method.Variables.Count } };

        var source = Pipeline.SourceBuilder.Build(broken, default);

        Assert.Null(source.Text);
        var diagnostic = Assert.Single(source.Diagnostics).ToDiagnostic();
        Assert.Equal("BPG017", diagnostic.Id);
        Assert.Equal(Location.None, diagnostic.Location);
        Assert.Matches("^The generator failed on 'Model.F': [A-Za-z]+Exception: .+; please report this with the method's source$", diagnostic.GetMessage(CultureInfo.InvariantCulture));
    }

    // ---------------------------------------------------------------- descriptors, docs, release tracking

    private static IReadOnlyList<DiagnosticDescriptor> Descriptors()
    {
        var type = typeof(DifferentiableGenerator).Assembly.GetType("Backprop.Generator.Diagnostics.DiagnosticDescriptors", throwOnError: true)!;
        return type.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
            .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
            .ToList();
    }

    [Fact]
    public void Descriptors_HaveDistinctIds_EachAssertedByATest()
    {
        var ids = Descriptors().Select(d => d.Id).ToList();
        Assert.Equal(ids.Distinct().Count(), ids.Count);

        // Read from this project's sources (AssertedDiagnosticIds says what counts), not from a list typed by hand.
        var asserted = AssertedDiagnosticIds.InProject(Repository.PathOf("tests", "Backprop.Generator.Tests"));
        var untested = ids.Where(id => !asserted.ContainsKey(id)).OrderBy(id => id, StringComparer.Ordinal).ToList();
        Assert.True(untested.Count == 0,
            "No test asserts that these are reported (Verify(..., (\"BPGxxx\", message)), or Assert.Contains/Single/Equal on the ID, in a [Fact] or [Theory]): "
            + string.Join(", ", untested));
        var unknown = asserted.Where(a => !ids.Contains(a.Key)).Select(a => a.Key + " (" + string.Join(", ", a.Value) + ")").ToList();
        Assert.True(unknown.Count == 0, "Tests assert IDs that no descriptor has: " + string.Join(", ", unknown));
    }

    [Fact]
    public void EveryDescriptor_HasTitleDescriptionCategory_AndAHelpLinkToItsPage()
    {
        string root = Repository.Root;
        foreach (var descriptor in Descriptors())
        {
            Assert.Equal("Backprop.Differentiation", descriptor.Category);
            Assert.True(descriptor.IsEnabledByDefault, descriptor.Id);
            Assert.False(string.IsNullOrWhiteSpace(descriptor.Title.ToString(CultureInfo.InvariantCulture)), descriptor.Id);
            Assert.False(string.IsNullOrWhiteSpace(descriptor.Description.ToString(CultureInfo.InvariantCulture)), descriptor.Id);
            Assert.EndsWith("docs/diagnostics/" + descriptor.Id + ".md", descriptor.HelpLinkUri, StringComparison.Ordinal);
            Assert.True(Uri.IsWellFormedUriString(descriptor.HelpLinkUri, UriKind.Absolute), descriptor.HelpLinkUri);
            Assert.True(File.Exists(Path.Combine(root, "docs", "diagnostics", descriptor.Id + ".md")), "missing docs/diagnostics/" + descriptor.Id + ".md");
        }
    }

    [Fact]
    public void EveryDescriptor_IsTrackedInUnshippedReleases_WithItsSeverityAndTitle()
    {
        string path = Repository.PathOf("generator", "Backprop.Generator", "AnalyzerReleases.Unshipped.md");
        var rows = File.ReadAllLines(path)
            .Select(line => line.Split('|').Select(cell => cell.Trim()).ToArray())
            .Where(cells => cells.Length == 4 && cells[0].StartsWith("BPG", StringComparison.Ordinal))
            .ToDictionary(cells => cells[0]);
        foreach (var descriptor in Descriptors())
        {
            Assert.True(rows.TryGetValue(descriptor.Id, out var row), descriptor.Id + " is not in AnalyzerReleases.Unshipped.md");
            Assert.Equal(descriptor.Category, row![1]);
            Assert.Equal(descriptor.DefaultSeverity.ToString(), row[2]);
            Assert.Equal(descriptor.Title.ToString(CultureInfo.InvariantCulture), row[3]);
        }
    }
}
