using System;
using System.Linq;
using Xunit;

namespace Backprop.Generator.Tests;

/// <summary>
/// Instance methods differentiate the members of <c>this</c> they read (issue 11): scalar and array fields and
/// auto-properties, through calls of the instance's own methods and of sub-modules, into <c>dThis</c>. Each model is
/// compiled with the generator and its gradients checked against central finite differences computed in the same program.
/// </summary>
public sealed class ModelClassTests
{
    private const string Usings = "using System;\nusing Backprop;\n\n";

    /// <summary>
    /// The probe every model below provides: <c>Check()</c> returns, for each member entry, the analytic gradient and the
    /// central finite difference of the loss, interleaved, after checking that the gradient returned the loss itself.
    /// </summary>
    private static double[] Probe(string source)
    {
        var type = GeneratorHarness.CompileAndLoad(Usings + source).GetType("Probe")!;
        return (double[])type.GetMethod("Check")!.Invoke(null, null)!;
    }

    private static void AssertPairsAgree(double[] pairs)
    {
        Assert.True(pairs.Length >= 2 && pairs.Length % 2 == 0);
        for (int k = 0; k < pairs.Length; k += 2)
            Assert.True(Math.Abs(pairs[k] - pairs[k + 1]) <= 1e-6 * Math.Max(1, Math.Abs(pairs[k + 1])),
                $"entry {k / 2}: analytic {pairs[k]}, numeric {pairs[k + 1]}");
    }

    /// <summary>Finite differences over every entry of the given arrays and scalars, in C#, for the probes.</summary>
    private const string FiniteDifferences = """
        public static class Fd
        {
            public static void Add(System.Collections.Generic.List<double> pairs, double[] values, double[] analytic, Func<double> loss)
            {
                for (int i = 0; i < values.Length; i++)
                {
                    double old = values[i];
                    values[i] = old + 1e-6; double plus = loss();
                    values[i] = old - 1e-6; double minus = loss();
                    values[i] = old;
                    pairs.Add(analytic[i]);
                    pairs.Add((plus - minus) / 2e-6);
                }
            }
        }
        """;

    [Fact]
    public void ScalarAndArrayMembers_GetTheirGradientsInDThis_AndNoDerivativeMembersStayConstant()
    {
        var pairs = Probe(FiniteDifferences + """
            public partial class Affine
            {
                public double[] W = { 0.5, -1.25, 2.0 };
                public double B = 0.3;
                public float Scale { get; set; } = 1.5f;
                [NoDerivative] public double Temperature = 2.0;
                public int Calls;

                [Differentiable]
                public double Loss([NoDerivative] ReadOnlySpan<double> x, [NoDerivative] double y)
                {
                    double z = B;
                    for (int i = 0; i < W.Length; i++) z += W[i] * x[i];
                    double a = Math.Tanh(z / Temperature) * Scale;
                    return 0.5 * (a - y) * (a - y);
                }
            }

            public static class Probe
            {
                public static double[] Check()
                {
                    var model = new Affine();
                    var grad = new Affine { W = new double[3], B = 0.25, Scale = 0 };
                    double[] x = { 0.3, -0.7, 1.1 };
                    double loss = model.LossGradient(x, 0.2, grad);
                    if (loss != model.Loss(x, 0.2)) throw new Exception("value");
                    if (grad.Temperature != 2.0) throw new Exception("a [NoDerivative] member was written");
                    var pairs = new System.Collections.Generic.List<double>();
                    Fd.Add(pairs, model.W, grad.W, () => model.Loss(x, 0.2));
                    var b = new[] { model.B };
                    Fd.Add(pairs, b, new[] { grad.B - 0.25 }, () => { model.B = b[0]; return model.Loss(x, 0.2); });
                    model.B = b[0];
                    // A float member: a step float can represent.
                    float scale = model.Scale;
                    model.Scale = scale + 1e-3f; double up = model.Loss(x, 0.2);
                    model.Scale = scale - 1e-3f; double down = model.Loss(x, 0.2);
                    pairs.Add(grad.Scale);
                    pairs.Add((up - down) / 2e-3);
                    return pairs.ToArray();
                }
            }
            """);
        // The float member's finite difference is in float precision: compare it loosely, the rest tightly.
        AssertPairsAgree(pairs.Take(pairs.Length - 2).ToArray());
        Assert.Equal(pairs[^1], pairs[^2], 3);
    }

    [Fact]
    public void SubModules_AndCallsOfThis_PassTheirPartOfDThis()
    {
        var pairs = Probe(FiniteDifferences + """
            public partial class Linear
            {
                public double[] Weight, Bias;
                public Linear(int inputs, int outputs, double seed)
                {
                    Weight = new double[inputs * outputs];
                    Bias = new double[outputs];
                    for (int i = 0; i < Weight.Length; i++) Weight[i] = Math.Sin(seed + i);
                    for (int i = 0; i < Bias.Length; i++) Bias[i] = Math.Cos(seed * i) * 0.1;
                }

                [Differentiable]
                public void Forward(ReadOnlySpan<double> x, Span<double> y)
                {
                    for (int o = 0; o < y.Length; o++)
                    {
                        double s = Bias[o];
                        for (int i = 0; i < x.Length; i++) s += Weight[o * x.Length + i] * x[i];
                        y[o] = s;
                    }
                }
            }

            public partial class Mlp
            {
                public Linear Fc1 = new(3, 4, 1.0), Fc2 = new(4, 2, 2.0);
                public double Gain = 0.7;

                [Differentiable]
                public double Activate(double v) => Math.Tanh(Gain * v);

                [Differentiable]
                public double Loss([NoDerivative] ReadOnlySpan<double> x, [NoDerivative] int label)
                {
                    Span<double> h = stackalloc double[4];
                    Span<double> a = stackalloc double[4];
                    Span<double> o = stackalloc double[2];
                    Fc1.Forward(x, h);
                    for (int k = 0; k < 4; k++) a[k] = Activate(h[k]);
                    Fc2.Forward(a, o);
                    o[1] += 0.5 * Fc2.Bias[0] * Fc1.Weight[1];
                    double m = Math.Max(o[0], o[1]);
                    double e = Math.Exp(o[0] - m) + Math.Exp(o[1] - m);
                    return Math.Log(e) + m - o[label];
                }
            }

            public static class Probe
            {
                public static double[] Check()
                {
                    var model = new Mlp();
                    var grad = new Mlp { Gain = 0 };
                    Array.Clear(grad.Fc1.Weight); Array.Clear(grad.Fc1.Bias); Array.Clear(grad.Fc2.Weight); Array.Clear(grad.Fc2.Bias);
                    double[] x = { 0.3, -0.7, 1.1 };
                    double loss = model.LossGradient(x, 1, grad);
                    if (loss != model.Loss(x, 1)) throw new Exception("value");
                    var pairs = new System.Collections.Generic.List<double>();
                    foreach (var (values, analytic) in new[] { (model.Fc1.Weight, grad.Fc1.Weight), (model.Fc1.Bias, grad.Fc1.Bias), (model.Fc2.Weight, grad.Fc2.Weight), (model.Fc2.Bias, grad.Fc2.Bias) })
                        Fd.Add(pairs, values, analytic, () => model.Loss(x, 1));
                    var g = new[] { model.Gain };
                    Fd.Add(pairs, g, new[] { grad.Gain }, () => { model.Gain = g[0]; return model.Loss(x, 1); });
                    return pairs.ToArray();
                }
            }
            """);
        AssertPairsAgree(pairs);
        Assert.Equal(2 * (12 + 4 + 8 + 2 + 1), pairs.Length);
    }

    /// <summary>A dense layer of any shape (its widths are its spans'), for the models of sub-module arrays below.</summary>
    private const string Linear = """
        public partial class Linear
        {
            public double[] Weight, Bias;
            public Linear(int inputs, int outputs, double seed)
            {
                Weight = new double[inputs * outputs];
                Bias = new double[outputs];
                for (int i = 0; i < Weight.Length; i++) Weight[i] = Math.Sin(seed + i);
                for (int i = 0; i < Bias.Length; i++) Bias[i] = Math.Cos(seed * i) * 0.1;
            }

            public static Linear Zero(Linear like) => new(like.Weight.Length / like.Bias.Length, like.Bias.Length, 0) { Weight = new double[like.Weight.Length], Bias = new double[like.Bias.Length] };

            [Differentiable]
            public void Forward(ReadOnlySpan<double> x, Span<double> y)
            {
                for (int o = 0; o < y.Length; o++)
                {
                    double s = Bias[o];
                    for (int i = 0; i < x.Length; i++) s += Weight[o * x.Length + i] * x[i];
                    y[o] = s;
                }
            }

            [Differentiable]
            public double Score(double v) => Weight[0] * Math.Tanh(v) + Bias[0];
        }
        """;

    [Fact]
    public void SubModuleArrays_CalledByIndexAndByForeach_PassDThisElements()
    {
        var pairs = Probe("using System.Linq;\n" + FiniteDifferences + Linear + """
            public partial class Deep
            {
                public Linear[] Layers = { new(3, 4, 1.0), new(4, 4, 2.0), new(4, 2, 3.0) };
                public System.Collections.Generic.List<Linear> Heads = new() { new(2, 1, 4.0), new(2, 1, 5.0) };
                public System.Collections.Generic.IReadOnlyList<Linear> Scorers = new[] { new Linear(1, 1, 6.0), new Linear(1, 1, 7.0) };

                [Differentiable]
                public double Loss([NoDerivative] ReadOnlySpan<double> x, [NoDerivative] double target)
                {
                    Span<double> a = stackalloc double[4];
                    Span<double> b = stackalloc double[4];
                    Span<double> o = stackalloc double[1];
                    for (int k = 0; k < 3; k++) a[k] = x[k];
                    int width = 3;
                    for (int i = 0; i < Layers.Length; i++)
                    {
                        int next = Layers[i].Bias.Length;
                        Layers[i].Forward(a.Slice(0, width), b.Slice(0, next));
                        for (int k = 0; k < next; k++) a[k] = Math.Tanh(b[k]);
                        width = next;
                    }
                    double sum = 0;
                    foreach (var head in Heads)
                    {
                        head.Forward(a.Slice(0, 2), o);
                        sum += o[0] * o[0];
                    }
                    for (int j = Scorers.Count - 1; j >= 0; j--) sum += Scorers[j].Score(sum);
                    // A local bound to an element, then to another (its index is captured at each binding).
                    int at = 1;
                    var scorer = Scorers[at];
                    at = 0;
                    sum += scorer.Score(sum) * Scorers[at].Score(0.5);
                    scorer = Scorers[at];
                    sum += scorer.Score(sum);
                    return (sum - target) * (sum - target);
                }
            }

            public static class Probe
            {
                public static double[] Check()
                {
                    var model = new Deep();
                    var grad = new Deep { Layers = Array.ConvertAll(new Deep().Layers, Linear.Zero), Heads = new Deep().Heads.ConvertAll(Linear.Zero) };
                    grad.Scorers = new[] { Linear.Zero(model.Scorers[0]), Linear.Zero(model.Scorers[1]) };
                    double[] x = { 0.3, -0.7, 1.1 };
                    double loss = model.LossGradient(x, 0.4, grad);
                    if (loss != model.Loss(x, 0.4)) throw new Exception("value");
                    var pairs = new System.Collections.Generic.List<double>();
                    var all = model.Layers.Concat(model.Heads).Concat(model.Scorers).ToArray();
                    var grads = grad.Layers.Concat(grad.Heads).Concat(grad.Scorers).ToArray();
                    for (int m = 0; m < all.Length; m++)
                    {
                        Fd.Add(pairs, all[m].Weight, grads[m].Weight, () => model.Loss(x, 0.4));
                        Fd.Add(pairs, all[m].Bias, grads[m].Bias, () => model.Loss(x, 0.4));
                    }
                    return pairs.ToArray();
                }
            }
            """);
        AssertPairsAgree(pairs);
        Assert.Equal(2 * (12 + 4 + 16 + 4 + 8 + 2 + 2 * (2 + 1) + 2 * (1 + 1)), pairs.Length);
    }

    [Fact]
    public void SubModuleArrays_AreRegisteredByIndex_ZeroedAndValidatedPerElement_BeforeAnythingIsWritten()
    {
        var type = GeneratorHarness.CompileAndLoad(Usings + "using System.Linq;\nusing Backprop.Training;\n\n" + Linear + """
            public partial class Stack
            {
                public Linear[] Layers = { new(2, 2, 1.0), new(2, 2, 2.0) };
                public System.Collections.Generic.List<Linear> Heads = new() { new(2, 1, 3.0) };
                public double Scale = 0.5;

                [Differentiable]
                public double Loss([NoDerivative] ReadOnlySpan<double> x)
                {
                    Span<double> a = stackalloc double[2];
                    Span<double> b = stackalloc double[2];
                    Span<double> o = stackalloc double[1];
                    for (int k = 0; k < 2; k++) a[k] = x[k];
                    foreach (var layer in Layers)
                    {
                        layer.Forward(a, b);
                        for (int k = 0; k < 2; k++) a[k] = Math.Tanh(b[k]);
                    }
                    Heads[0].Forward(a, o);
                    return Scale * o[0] * o[0];
                }
            }

            public static class Probe
            {
                static Stack Zero() => new Stack { Layers = Array.ConvertAll(new Stack().Layers, Linear.Zero), Heads = new Stack().Heads.ConvertAll(Linear.Zero), Scale = 0 };

                public static string Registration()
                {
                    var model = new Stack();
                    var gradient = Zero();
                    var parameters = new ParameterSet<double>();
                    model.AddParameters(parameters.AddGroup(learningRate: 0.1), gradient, "net.");
                    model.LossGradient(new[] { 0.3, -0.6 }, gradient);
                    bool written = gradient.Layers.All(l => l.Weight.Any(v => v != 0)) && gradient.Heads[0].Bias[0] != 0;
                    parameters.ZeroGrad();
                    bool zeroed = gradient.Layers.Concat(gradient.Heads).All(l => l.Weight.All(v => v == 0) && l.Bias.All(v => v == 0)) && gradient.Scale == 0;
                    var check = GradientCheck.Check(() => model.Loss(new[] { 0.3, -0.6 }), group => model.AddParameters(group, Zero().Also(g => model.LossGradient(new[] { 0.3, -0.6 }, g))));
                    return string.Join(",", parameters.Parameters.Select(p => p.Name)) + "|" + written + "|" + zeroed + "|" + check.Passed + "|" + check.NumericGradient.Count;
                }

                static Stack Also(this Stack s, Action<Stack> act) { act(s); return s; }

                public static string Validation(int which)
                {
                    var model = new Stack();
                    var grad = Zero();
                    switch (which)
                    {
                        case 0: grad.Layers = null!; break;
                        case 1: grad.Layers = new[] { grad.Layers[0] }; break;
                        case 2: grad.Layers[1] = null!; break;
                        case 3: grad.Layers[1].Weight = new double[3]; break;
                        case 4: grad.Heads.Clear(); break;
                    }
                    try { model.LossGradient(new[] { 0.3, -0.6 }, grad); }
                    catch (ArgumentException e)
                    {
                        bool untouched = grad.Scale == 0 && (grad.Layers?.All(l => l is null || l.Weight.All(v => v == 0)) ?? true);
                        return e.ParamName + ": " + e.Message.Split(" (Parameter")[0] + (untouched ? "" : " (written)");
                    }
                    return "no exception";
                }
            }
            """.Replace("static Stack Also", "public static Stack Also")).GetType("Probe")!;
        Assert.Equal("net.Layers.0.Weight,net.Layers.0.Bias,net.Layers.1.Weight,net.Layers.1.Bias,net.Heads.0.Weight,net.Heads.0.Bias,net.Scale|True|True|True|" + (2 * (4 + 2) + 2 + 1 + 1),
            (string)type.GetMethod("Registration")!.Invoke(null, null)!);
        string Validation(int which) => (string)type.GetMethod("Validation")!.Invoke(null, new object[] { which })!;
        Assert.Equal("dThis: The gradient of 'Layers' must have 2 sub-modules, like 'Layers', but has 0.", Validation(0));
        Assert.Equal("dThis: The gradient of 'Layers' must have 2 sub-modules, like 'Layers', but has 1.", Validation(1));
        Assert.Equal("dThis: The gradient of 'Layers.1' is null: dThis must have the same sub-modules as this instance.", Validation(2));
        Assert.Equal("dThis: The gradient of 'Layers.1.Weight' must have 4 entries, like 'Layers.1.Weight', but has 3.", Validation(3));
        Assert.Equal("dThis: The gradient of 'Heads' must have 1 sub-modules, like 'Heads', but has 0.", Validation(4));
    }

    [Fact]
    public void SubModuleArraysWithNullableElements_CompileWithoutWarnings() => GeneratorHarness.CompileAndLoad(Usings + """
        #nullable enable
        public partial class Linear
        {
            public double[] Bias = new double[2];

            [Differentiable]
            public double Score(double v) => Bias[0] * v + Bias[1];
        }

        public partial class Model
        {
            public Linear?[] Layers = { new(), null };
            public Linear[] Plain = { new() };

            [Differentiable]
            public double Loss(double v) => Layers[0]!.Score(v) + Plain[0].Score(v);
        }
        """);

    [Fact]
    public void JaggedMembers_WrittenOrUsedWhole_AreLocatedErrors()
    {
        var source = Usings + """
            public static class Help { public static double First(double[][] m) => m[0][0]; }

            public partial class Model
            {
                public double[][] W = { new double[2], new double[2] };
                public double[]?[] Maybe = { new double[2] };

                [Differentiable]
                public double Write(double v) { W[0][1] = v; return W[0][0] * v; }
                [Differentiable]
                public double Whole(double v) => Help.First(W) * v;
                [Differentiable]
                public double Library(ReadOnlySpan<double> x) => Backprop.Ops.Dot(W[1], x);
                [Differentiable]
                public double Rebound(double v) { var row = W[0]; double s = row[0]; row = W[1]; return s * row[1] * v; }
                [Differentiable(Forward = true)]
                public double Tangent(double v) => W[0][0] * v;
                [Differentiable]
                public double NullableRows(double v) => Maybe[0]![0] * v;
                [Differentiable]
                public double Alias(double v) { var w = W; return w[0][0] * v; }
            }
            """;
        var outcome = GeneratorHarness.Run(source);
        var reported = outcome.GeneratorDiagnostics.Select(d => d.Id + " " + source.Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length)).ToArray();
        Assert.Equal(new[]
        {
            "BPG023 W[0][1]",
            "BPG014 W",
            "BPG014 W[1]",
            "BPG014 row",
            "BPG015 Tangent",
            "BPG014 Maybe[0]![0]",
            "BPG014 W",
        }, reported);
        string Message(int k) => outcome.GeneratorDiagnostics[k].GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains("the jagged array 'W' of the model used as a whole", Message(1));
        Assert.Contains("pass one row at a time ('W[o]') to a method of your own code", Message(1));
        Assert.Contains("a library method such as Ops needs the numbers in a flat double[] member", Message(2));
        Assert.Contains("re-bound", Message(3));
        Assert.Contains("forward mode", Message(4));
        Assert.Contains("jagged arrays whose rows are declared nullable", Message(5));
        Assert.Contains("the jagged array 'W' of the model used as a whole", Message(6));
        Assert.Empty(outcome.CompilationDiagnostics.Where(d => d.Location.SourceTree?.FilePath.Contains("Backprop.Generator") == true));
    }

    [Fact]
    public void SubModuleArrays_ReadOtherwiseThanThroughTheirMethods_AreLocatedErrors()
    {
        var source = Usings + """
            using System.Linq;

            public partial class Linear
            {
                public double[] Bias = new double[2];
                public double Gain;

                [Differentiable]
                public double Score(double v) => Gain * v + Bias[0];
            }

            public static class Help { public static double Penalty(Linear[] layers) => layers[0].Gain; }

            public partial class Encoder
            {
                public Linear[] Layers = { new(), new() };
                [Differentiable]
                public double Score(double v) => Layers[0].Score(v);
            }

            public partial class Model
            {
                public Linear[] Layers = { new(), new() };
                public Encoder Encoder = new();

                [Differentiable]
                public double ElementArray(double v) => Layers[0].Bias[1] * v;
                [Differentiable]
                public double ElementScalar(double v) { double s = 0; foreach (var layer in Layers) s += layer.Gain * v; return s; }
                [Differentiable]
                public double Helper(double v) => Help.Penalty(Layers) * v;
                [Differentiable]
                public double Linq(double v) => Layers.Sum(l => l.Score(1)) * v;
                [Differentiable]
                public double OfASubModule(double v) => Encoder.Layers[0].Score(2.0) * v;
                [Differentiable]
                public double Rebound(double v) { var layer = Layers[0]; double s = layer.Score(v); layer = Encoder.Layers[1]; return s + layer.Score(v); }
                [Differentiable(Forward = true)]
                public double Tangent(double v) => v * Layers[0].Score(v);
                [Differentiable]
                public double Data(double v) { double s = v * Layers[0].Bias.Length; foreach (var layer in Layers) { s += layer.Score(v) * Layers.Length; Console.Write(layer.Gain); } return s; }
            }
            """;
        var outcome = GeneratorHarness.Run(source);
        var reported = outcome.GeneratorDiagnostics.Select(d => d.Id + " " + source.Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length)).ToArray();
        Assert.Equal(new[]
        {
            "BPG014 Layers[0].Bias",
            "BPG014 layer.Gain",
            "BPG014 Help.Penalty(Layers)",
            "BPG014 Layers.Sum(l => l.Score(1))",
            "BPG014 Encoder.Layers[0].Score(2.0)",
            "BPG014 Encoder.Layers[1]",
            "BPG015 Tangent",
        }, reported);
        string Message(string located) => outcome.GeneratorDiagnostics.First(d => source.Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length) == located).GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains("'Bias' of an element of the sub-modules 'Layers'", Message("Layers[0].Bias"));
        Assert.Contains("call that on the element ('Layers[i].Method(…)')", Message("layer.Gain"));
        Assert.Contains("would lose the gradient of their members", Message("Help.Penalty(Layers)"));
        Assert.Contains("another object", Message("Encoder.Layers[0].Score(2.0)"));
        Assert.Contains("that is not another of its elements", Message("Encoder.Layers[1]"));
        Assert.Contains("forward mode", Message("Tangent"));
    }

    [Fact]
    public void AddParameters_RegistersEveryMemberAndSubModule_AndSgdTrainsTheModel()
    {
        var type = GeneratorHarness.CompileAndLoad(Usings + """
            using Backprop.Training;

            public partial class Linear
            {
                public double[] Weight = { 0.5, -0.3, 0.8, 0.1 }, Bias = { 0.0, 0.1 };
                [NoDerivative] public double[] Mask = { 1, 1 };

                [Differentiable]
                public void Forward(ReadOnlySpan<double> x, Span<double> y)
                {
                    for (int o = 0; o < 2; o++) y[o] = Mask[o] * (Bias[o] + Weight[2 * o] * x[0] + Weight[2 * o + 1] * x[1]);
                }
            }

            public partial class Net
            {
                public Linear Fc1 = new();
                public double Gain = 1.0;
                public float Unused = 1f;

                [Differentiable]
                public double Loss([NoDerivative] ReadOnlySpan<double> x, [NoDerivative] double target)
                {
                    Span<double> h = stackalloc double[2];
                    Fc1.Forward(x, h);
                    double y = Gain * Math.Tanh(h[0]) + h[1];
                    return (y - target) * (y - target);
                }
            }

            public static class Probe
            {
                public static string Check()
                {
                    var model = new Net();
                    var gradient = new Net { Fc1 = new Linear { Weight = new double[4], Bias = new double[2] }, Gain = 0 };
                    var parameters = new ParameterSet<double>();
                    model.AddParameters(parameters.AddGroup(learningRate: 0.05), gradient);
                    var optimizer = new Sgd<double>(parameters, new SgdOptions());
                    double[] x = { 0.7, -0.4 };
                    double first = model.Loss(x, 0.3), last = first;
                    for (int step = 0; step < 200; step++)
                    {
                        optimizer.ZeroGrad();
                        last = model.LossGradient(x, 0.3, gradient);
                        optimizer.Step();
                    }
                    optimizer.ZeroGrad();
                    bool zeroed = gradient.Gain == 0 && gradient.Fc1.Weight.All(v => v == 0) && gradient.Fc1.Bias.All(v => v == 0);
                    return string.Join(",", parameters.Parameters.Select(p => p.Name)) + "|" + (last < 1e-6 * first) + "|" + zeroed;
                }
            }
            """.Replace("using Backprop.Training;", "using Backprop.Training;\nusing System.Linq;")).GetType("Probe")!;
        Assert.Equal("Fc1.Weight,Fc1.Bias,Gain|True|True", (string)type.GetMethod("Check")!.Invoke(null, null)!);
    }

    [Fact]
    public void DThis_IsValidatedBeforeAnythingIsWritten_NamingTheMember()
    {
        var type = GeneratorHarness.CompileAndLoad(Usings + """
            using System.Linq;

            public partial class Linear
            {
                public double[] Weight = { 1, 2 };
                public double Shift;

                [Differentiable]
                public double Forward(double x) => Weight[0] * x + Weight[1] + Shift;
            }

            public partial class Model
            {
                public Linear Fc1 = new();
                public double[] Scale = { 2, 3, 4 };

                [Differentiable]
                public double Loss(double x) => Fc1.Forward(x) * Scale[0] + Scale[2];
            }

            public static class Probe
            {
                public static string Check(int which)
                {
                    var model = new Model();
                    var grad = which switch
                    {
                        0 => new Model { Fc1 = null! },
                        1 => new Model { Scale = new double[2] },
                        _ => new Model { Fc1 = new Linear { Weight = new double[1] } },
                    };
                    grad.Fc1?.Weight.AsSpan().Clear();
                    try { model.LossGradient(1.5, grad, out _); }
                    catch (ArgumentException e)
                    {
                        bool untouched = grad.Scale.All(v => v == 0 || v == 2 || v == 3 || v == 4) && (grad.Fc1 is null || grad.Fc1.Shift == 0);
                        return e.ParamName + ": " + e.Message.Split('(')[0].Trim() + (untouched ? "" : " (written)");
                    }
                    return "no exception";
                }
            }
            """).GetType("Probe")!;
        string Check(int which) => (string)type.GetMethod("Check")!.Invoke(null, new object[] { which })!;
        Assert.Equal("dThis: The gradient of 'Fc1' is null: dThis must have the same sub-modules as this instance.", Check(0));
        Assert.Equal("dThis: The gradient of 'Scale' must have 3 entries, like 'Scale', but has 2.", Check(1));
        Assert.Equal("dThis: The gradient of 'Fc1.Weight' must have 2 entries, like 'Fc1.Weight', but has 1.", Check(2));
    }

    [Fact]
    public void StructInstanceMethods_TakeDThisByRef()
    {
        var pairs = Probe(FiniteDifferences + """
            public partial struct Spring
            {
                public double K, Rest;

                [Differentiable]
                public double Energy(double x) => 0.5 * K * (x - Rest) * (x - Rest);
            }

            public static class Probe
            {
                public static double[] Check()
                {
                    var spring = new Spring { K = 3, Rest = 0.5 };
                    var grad = new Spring();
                    spring.EnergyGradient(1.25, ref grad, out double dX);
                    var values = new[] { spring.K, spring.Rest, 1.25 };
                    var pairs = new System.Collections.Generic.List<double>();
                    Fd.Add(pairs, values, new[] { grad.K, grad.Rest, dX }, () => new Spring { K = values[0], Rest = values[1] }.Energy(values[2]));
                    return pairs.ToArray();
                }
            }
            """);
        AssertPairsAgree(pairs);
    }
}
