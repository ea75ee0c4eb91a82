using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Xunit;

namespace Backprop.Consumer.Tests;

/// <summary>
/// Clad's reverse-mode test suite ported to C# (CladPort.*.cs): every gradient the generator emits for it against central
/// finite differences at a few points. Methods over scalars, structs and tuples are found and called by reflection;
/// methods with differentiated buffers are listed by hand below.
/// </summary>
public sealed class CladPortTests
{
    private static readonly Type[] Ports =
    {
        typeof(CladGradients), typeof(CladGradientsS), typeof(CladLoops), typeof(CladFunctionCalls), typeof(CladAssignments),
        typeof(CladSwitch), typeof(CladEarlyReturns), typeof(CladPointers), typeof(CladTestTypeConversion), typeof(CladUnaryMinus),
        typeof(CladConditionalOperatorCondition), typeof(CladTbrTernary), typeof(CladSimpleFunctions), typeof(CladMemberFunctions),
        typeof(CladUserDefinedTypes),
    };

    /// <summary>Functions of positive arguments only (logarithms, powers of a real base).</summary>
    private static readonly HashSet<string> Positive = new()
    {
        "CladGradients.FNorm", "CladGradients.FPowZero",
    };

    /// <summary>
    /// Loops whose trip count a rounding changes (f_loop_init_var: 'x += interval' up to 'upper'): the points a step away
    /// may both take one trip more than the point itself, so a difference across the jump is retried with a smaller step.
    /// </summary>
    private static readonly HashSet<string> TripCountRounds = new() { "CladLoops.FLoopInitVar" };

    /// <summary>A seed from the name (string.GetHashCode differs between runs).</summary>
    private static int StableSeed(string name) => name.Aggregate(17, (h, c) => unchecked(h * 31 + c));

    private static bool IsBuffer(Type t) => t.IsArray || (t.IsGenericType && t.GetGenericTypeDefinition() is var g && (g == typeof(Span<>) || g == typeof(ReadOnlySpan<>)));

    private static bool IsReal(Type t) => t == typeof(double) || t == typeof(float);

    private static bool IsStructOfReals(Type t) => t.IsValueType && !t.IsPrimitive && !t.IsEnum && RealFields(t).Any();

    private static IEnumerable<FieldInfo> RealFields(Type t) =>
        t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic).Where(f => IsReal(f.FieldType) || IsStructOfReals(f.FieldType));

    private static bool IsActive(ParameterInfo p) =>
        p.GetCustomAttribute<NoDerivativeAttribute>() is null && (IsReal(p.ParameterType) || IsStructOfReals(p.ParameterType));

    public static IEnumerable<object[]> ScalarMethods() =>
        Ports.SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Where(m => m.GetCustomAttribute<DifferentiableAttribute>() is not null)
            .Where(m => !m.GetParameters().Any(p => IsBuffer(p.ParameterType) && p.GetCustomAttribute<NoDerivativeAttribute>() is null))
            .Select(m => new object[] { m.DeclaringType!.Name + "." + m.Name });

    /// <summary>A real number inside a boxed argument: a parameter, or a field of a struct parameter (or of this).</summary>
    private sealed record Slot(int Argument, FieldInfo[] Path, bool IsFloat);

    private static IEnumerable<(FieldInfo[] Path, bool IsFloat)> Leaves(Type t, FieldInfo[] prefix)
    {
        if (IsReal(t)) { yield return (prefix, t == typeof(float)); yield break; }
        foreach (var f in RealFields(t))
            foreach (var leaf in Leaves(f.FieldType, prefix.Append(f).ToArray()))
                yield return leaf;
    }

    private static double Get(object?[] args, Slot s)
    {
        object? value = args[s.Argument];
        foreach (var f in s.Path) value = f.GetValue(value);
        return Convert.ToDouble(value);
    }

    private static void Set(object?[] args, Slot s, double v)
    {
        object leaf = s.IsFloat ? (object)(float)v : v;
        args[s.Argument] = SetIn(args[s.Argument], s.Path, 0, leaf);
    }

    private static object SetIn(object? boxed, FieldInfo[] path, int depth, object leaf)
    {
        if (depth == path.Length) return leaf;
        var inner = path[depth].GetValue(boxed);
        path[depth].SetValue(boxed, SetIn(inner, path, depth + 1, leaf));
        return boxed!;
    }

    private static object? Data(Type t, int trial) =>
        t == typeof(int) ? trial % 3 + 1 :
        t == typeof(bool) ? trial % 2 == 0 :
        t.IsEnum ? Enum.GetValues(t).GetValue(trial % Enum.GetValues(t).Length) :
        t == typeof(string) ? (trial % 2 == 0 ? "aa" : null) :
        t == typeof(float[]) ? new float[] { 2, 3, 4 } :
        t == typeof(double[]) ? new double[] { 2, 3, 4 } :
        t.IsValueType ? Activator.CreateInstance(t) : null;

    [Theory]
    [MemberData(nameof(ScalarMethods))]
    public void ScalarGradient_MatchesCentralDifferences(string name)
    {
        var type = Ports.Single(t => t.Name == name.Split('.')[0]);
        var method = type.GetMethod(name.Split('.')[1], BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance)!;
        var gradient = type.GetMethod(method.Name + "Gradient")!;
        var parameters = method.GetParameters();
        var random = new Random(StableSeed(name));
        bool isFloat = method.ReturnType == typeof(float);
        for (int trial = 0; trial < 6; trial++)
        {
            // The receiver is argument -1 of the forward call: it is slot argument 0 of an array [this, p1 … pn].
            bool instance = !method.IsStatic;
            var args = new object?[parameters.Length + 1];
            args[0] = instance ? Activator.CreateInstance(type) : null;
            for (int i = 0; i < parameters.Length; i++) args[i + 1] = Data(parameters[i].ParameterType, trial);
            var slots = new List<Slot>();
            if (instance)
                slots.AddRange(Leaves(type, Array.Empty<FieldInfo>()).Select(l => new Slot(0, l.Path, l.IsFloat)));
            for (int i = 0; i < parameters.Length; i++)
                if (IsActive(parameters[i]))
                    slots.AddRange(Leaves(parameters[i].ParameterType, Array.Empty<FieldInfo>()).Select(l => new Slot(i + 1, l.Path, l.IsFloat)));
            var (low, high) = Positive.Contains(name) ? (0.5, 2.0) : (trial % 3) switch { 0 => (0.5, 2.0), 1 => (-2.0, -0.5), _ => (-2.0, 2.0) };
            foreach (var s in slots) Set(args, s, low + (high - low) * random.NextDouble());

            double Forward(object?[] a) => Convert.ToDouble(method.Invoke(a[0], a.Skip(1).ToArray()));

            // The gradient: the method's arguments, then dThis, then the active parameters' gradients (out).
            var gradientParameters = gradient.GetParameters();
            var gradientArgs = new object?[gradientParameters.Length];
            for (int i = 0; i < parameters.Length; i++) gradientArgs[i] = args[i + 1];
            for (int i = parameters.Length; i < gradientArgs.Length; i++)
                gradientArgs[i] = Activator.CreateInstance(gradientParameters[i].ParameterType.IsByRef ? gradientParameters[i].ParameterType.GetElementType()! : gradientParameters[i].ParameterType);
            var receiver = args[0];
            double value = Convert.ToDouble(gradient.Invoke(receiver, gradientArgs));
            Assert.Equal(Forward(args), value);
            // Gradient slots mirror the input slots: dThis's leaves, then each active parameter's.
            var gradientSlots = new List<Slot>();
            int next = parameters.Length;
            if (instance)
                gradientSlots.AddRange(Leaves(type, Array.Empty<FieldInfo>()).Select(l => new Slot(next + 1, l.Path, l.IsFloat)));
            if (instance) next++;
            for (int i = 0; i < parameters.Length; i++)
                if (IsActive(parameters[i]))
                {
                    gradientSlots.AddRange(Leaves(parameters[i].ParameterType, Array.Empty<FieldInfo>()).Select(l => new Slot(next + 1, l.Path, l.IsFloat)));
                    next++;
                }
            Assert.Equal(gradientArgs.Length, next);
            var shifted = new object?[] { null }.Concat(gradientArgs).ToArray();
            for (int k = 0; k < slots.Count; k++)
            {
                double analytic = Get(shifted, gradientSlots[k]);
                double x = Get(args, slots[k]);
                double h = (isFloat || slots[k].IsFloat ? 1e-3 : 1e-6) * Math.Max(1, Math.Abs(x));
                var plus = (object?[])args.Clone(); plus[0] = args[0] is null ? null : Copy(args[0]!); CopyArgs(plus);
                Set(plus, slots[k], x + h);
                var minus = (object?[])args.Clone(); minus[0] = args[0] is null ? null : Copy(args[0]!); CopyArgs(minus);
                Set(minus, slots[k], x - h);
                double numeric = (Forward(plus) - Forward(minus)) / (2 * h);
                if (TripCountRounds.Contains(name) && Math.Abs(numeric - analytic) > 1e-6 * Math.Max(1, Math.Abs(numeric)))
                {
                    // A step may cross a jump of the trip count: the one-sided difference on the side without it.
                    var at = (object?[])args.Clone(); CopyArgs(at);
                    double center = Forward(at);
                    double forward = (Forward(plus) - center) / h, backward = (center - Forward(minus)) / h;
                    numeric = Math.Abs(forward - analytic) < Math.Abs(backward - analytic) ? forward : backward;
                    Assert.True(Math.Abs(numeric - analytic) <= 1e-4 * Math.Max(1, Math.Abs(numeric)),
                        $"{name} d/d slot {k}: analytic {analytic}, one-sided {forward} and {backward}");
                    continue;
                }
                double tolerance = isFloat || slots[k].IsFloat ? 1e-3 : 1e-6;
                Assert.True(Math.Abs(numeric - analytic) <= tolerance * Math.Max(1, Math.Abs(numeric)),
                    $"{name} d/d slot {k} at ({string.Join(", ", slots.Select(s => Get(args, s)))}): analytic {analytic}, numeric {numeric}");
            }
        }
    }

    private static object Copy(object boxed) => boxed.GetType().IsValueType ? CopyStruct(boxed) : boxed;

    private static object CopyStruct(object boxed)
    {
        var copy = Activator.CreateInstance(boxed.GetType())!;
        foreach (var f in boxed.GetType().GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)) f.SetValue(copy, f.GetValue(boxed));
        return copy;
    }

    private static void CopyArgs(object?[] args)
    {
        for (int i = 1; i < args.Length; i++)
            if (args[i] is { } a && a.GetType().IsValueType && !a.GetType().IsPrimitive && !a.GetType().IsEnum) args[i] = CopyStruct(a);
    }
    // ---------------------------------------------------------------- functions of buffers, called by hand

    private delegate double Gradient(double[] point, double[] gradient);

    /// <summary>Each function as a function of its flattened active inputs (a copy each call: some write their buffers).</summary>
    private static readonly Dictionary<string, (int Dimension, Func<double[], double> Function, Gradient Gradient)> Buffers = new()
    {
        ["CladLoops.FSum"] = (5, p => CladLoops.FSum(p[..], 5), (p, g) => CladLoops.FSumGradient(p[..], 5, g)),
        ["CladLoops.FSumSquares"] = (5, p => CladLoops.FSumSquares(p[..], 5), (p, g) => CladLoops.FSumSquaresGradient(p[..], 5, g)),
        ["CladLoops.FLogGaus"] = (8, p => CladLoops.FLogGaus(p[0..3], p[3..6], p[6], p[7]), (p, g) =>
        {
            double value = CladLoops.FLogGausGradient(p[0..3], p[3..6], p[6], p[7], g.AsSpan(0, 3), g.AsSpan(3, 3), out g[6], out g[7]);
            return value;
        }),
        ["CladLoops.Fn19"] = (4, p => CladLoops.Fn19(p[..], 4), (p, g) => CladLoops.Fn19Gradient(p[..], 4, g)),
        ["CladLoops.Fn43"] = (4, p => CladLoops.Fn43(p[0..3], p[3]), (p, g) => CladLoops.Fn43Gradient(p[0..3], p[3], g.AsSpan(0, 3), out g[3])),
        ["CladGradients.RunningSum"] = (4, p => CladGradients.RunningSum(p.Select(v => (float)v).ToArray(), 4), (p, g) =>
        {
            var dP = new float[4];
            float value = CladGradients.RunningSumGradient(p.Select(v => (float)v).ToArray(), 4, dP);
            for (int k = 0; k < 4; k++) g[k] = dP[k];
            return value;
        }),
        ["CladLoops.Fn20"] = (4, p => CladLoops.Fn20(p[..], 4), (p, g) => CladLoops.Fn20Gradient(p[..], 4, g)),
        ["CladFunctionCalls.Fn4"] = (3, p => CladFunctionCalls.Fn4(p[..], 3), (p, g) => CladFunctionCalls.Fn4Gradient(p[..], 3, g)),
        ["CladFunctionCalls.Fn5"] = (2, p => CladFunctionCalls.Fn5(p[..], 2), (p, g) => CladFunctionCalls.Fn5Gradient(p[..], 2, g)),
        ["CladFunctionCalls.Fn29"] = (2, p => CladFunctionCalls.Fn29(p[..]), (p, g) => CladFunctionCalls.Fn29Gradient(p[..], g)),
        ["CladFunctionCalls.Fn13"] = (4, p => CladFunctionCalls.Fn13(p[0..2], p[2..4]), (p, g) => CladFunctionCalls.Fn13Gradient(p[0..2], p[2..4], g.AsSpan(0, 2), g.AsSpan(2, 2))),
        ["CladFunctionCalls.Fn17"] = (2, p => CladFunctionCalls.Fn17(p[0], p[1..2]), (p, g) => CladFunctionCalls.Fn17Gradient(p[0], p[1..2], out g[0], g.AsSpan(1, 1))),
        ["CladFunctionCalls.Fn20"] = (5, p => CladFunctionCalls.Fn20(p[0..2], p[2..5]), (p, g) => CladFunctionCalls.Fn20Gradient(p[0..2], p[2..5], g.AsSpan(0, 2), g.AsSpan(2, 3))),
        ["CladFunctionCalls.Fn26"] = (4, p => CladFunctionCalls.Fn26(p[0..2], p[2..4]), (p, g) => CladFunctionCalls.Fn26Gradient(p[0..2], p[2..4], g.AsSpan(0, 2), g.AsSpan(2, 2))),
        ["CladFunctionCalls.Fn30"] = (5, p => CladFunctionCalls.Fn30(p[0..2], p[2..5]), (p, g) => CladFunctionCalls.Fn30Gradient(p[0..2], p[2..5], g.AsSpan(0, 2), g.AsSpan(2, 3))),
        ["CladFunctionCalls.Fn31"] = (2, p => CladFunctionCalls.Fn31(p[..]), (p, g) => CladFunctionCalls.Fn31Gradient(p[..], g)),
        ["CladFunctionCalls.Fn33"] = (2, p => CladFunctionCalls.Fn33(p[..]), (p, g) => CladFunctionCalls.Fn33Gradient(p[..], g)),
    };

    /// <summary>Buffer functions computed in float on the way (a float result, a cast to float).</summary>
    private static readonly HashSet<string> FloatRounding = new() { "CladGradients.RunningSum", "CladFunctionCalls.Fn4" };

    public static IEnumerable<object[]> BufferMethods() => Buffers.Keys.Select(k => new object[] { k });

    /// <summary>UserDefinedTypes.C fn29: an object's array read as data (its values are constants); the result sums the input.</summary>
    [Fact]
    public void ObjectDataReadAsWritten_Fn29_GradientIsOnes()
    {
        float[] input = { 0.5f, -1.5f, 2f, 0.25f, 3f };
        var gradient = new float[5];
        Assert.Equal(CladUserDefinedTypes.Fn29(input, new CladUserDefinedTypes.Session()), CladUserDefinedTypes.Fn29Gradient(input, new CladUserDefinedTypes.Session(), gradient));
        Assert.Equal(new float[] { 1, 1, 1, 1, 1 }, gradient);
    }

    [Theory]
    [MemberData(nameof(BufferMethods))]
    public void BufferGradient_MatchesCentralDifferences(string name)
    {
        var (dimension, function, gradient) = Buffers[name];
        var random = new Random(StableSeed(name));
        for (int trial = 0; trial < 6; trial++)
        {
            var point = Enumerable.Range(0, dimension).Select(_ => (trial % 2 == 0 ? 1 : -1) * (0.5 + 1.5 * random.NextDouble())).ToArray();
            if (name == "CladLoops.FLogGaus") { point[6] = 2.5; point[7] = Math.Abs(point[7]); }
            var analytic = new double[dimension];
            double value = gradient(point, analytic);
            Assert.Equal(function(point), value);
            for (int k = 0; k < dimension; k++)
            {
                // A function that rounds to float is differentiated over a wider step, against a looser tolerance.
                bool rounds = FloatRounding.Contains(name);
                double h = (rounds ? 1e-2 : 1e-6) * Math.Max(1, Math.Abs(point[k]));
                var plus = (double[])point.Clone(); plus[k] += h;
                var minus = (double[])point.Clone(); minus[k] -= h;
                double numeric = (function(plus) - function(minus)) / (2 * h);
                Assert.True(Math.Abs(numeric - analytic[k]) <= (rounds ? 1e-3 : 1e-6) * Math.Max(1, Math.Abs(numeric)),
                    $"{name} d/d input {k} at ({string.Join(", ", point)}): analytic {analytic[k]}, numeric {numeric}");
            }
        }
    }
}
