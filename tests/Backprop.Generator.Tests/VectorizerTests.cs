using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Differentiation;
using Xunit;

namespace Backprop.Generator.Tests;

/// <summary>
/// <see cref="Vectorizer"/> on reverse sweeps, program in, program out: a reverse counted loop whose iterations are
/// independent runs over <c>Vector&lt;T&gt;</c> lanes with a scalar tail; anything it cannot prove stays as it is.
/// </summary>
public class VectorizerTests
{
    private static readonly Dictionary<string, VectorSymbol> Symbols = new()
    {
        ["dW"] = new("double", IsBuffer: true),
        ["w"] = new("double", IsBuffer: true),
        ["x"] = new("double", IsBuffer: true),
        ["xs"] = new("double", IsBuffer: true, IsArray: true),
        ["dH"] = new("double", IsBuffer: true, Fresh: true),
        ["h"] = new("double", IsBuffer: true, Fresh: true),
        ["dF"] = new("float", IsBuffer: true),
        ["labels"] = new("int", IsBuffer: true),
        ["g"] = new("double", IsBuffer: false),
        ["dA"] = new("double", IsBuffer: false),
        ["gf"] = new("float", IsBuffer: false),
        ["n"] = new("int", IsBuffer: false),
        ["o"] = new("int", IsBuffer: false),
        ["i"] = new("int", IsBuffer: false),
    };

    private static Fragment N(string name) => Fragment.Of(name);

    private static Fragment C(string text, string type = "int") => Fragment.Constant(text, type, double.Parse(text.TrimEnd('f'), System.Globalization.CultureInfo.InvariantCulture));

    private static Fragment E(string buffer, Fragment index) => Fragment.Element(N(buffer), index);

    private static Fragment Mul(Fragment a, Fragment b) => Fragment.Binary(TreeKind.Multiply, a, b, a + " * " + b);

    private static Fragment Plus(Fragment a, Fragment b) => Fragment.Binary(TreeKind.Add, a, b, a + " + " + b);

    private static Fragment Minus(Fragment a, Fragment b) => Fragment.Binary(TreeKind.Subtract, a, b, a + " - " + b);

    /// <summary><c>for (i = n - 1; i &gt;= 0; i--)</c>, the reverse of <c>for (i = 0; i &lt; n; i++)</c>.</summary>
    private static CodeLoop Loop(params Code[] body) => CodeLoop.Counted("i", C("0"), N("n"), body.ToList());

    private static string Text(IEnumerable<Code> code) => string.Join(" ", code.Select(item => item switch
    {
        CodeComment comment => "//" + comment.Text + ";",
        CodeIf block => $"if ({block.Condition}) {{ {Text(block.Then)} }}" + (block.Else is { } otherwise ? " else { " + Text(otherwise) + " }" : ""),
        CodeLoop loop => loop.Header + " { " + Text(loop.Body) + " }",
        _ => item.ToString()!,
    }));

    private static string Vectorized(params Code[] code)
    {
        int reserved = 0;
        return Text(Vectorizer.Apply(code.ToList(), name => Symbols.TryGetValue(name, out var s) ? s : null, name => name + (++reserved == 1 ? "" : reserved.ToString())));
    }

    private const string V = "global::System.Numerics.Vector<double>";

    [Fact]
    public void Axpy_AtAnOffset_RunsInLanes_WithAnOverlapCheck_AndAScalarTail()
    {
        var index = Plus(Mul(N("o"), N("n")), N("i"));
        var loop = Loop(new CodeComment("line 13"), CodeAssign.Add(E("dW", index), Mul(N("g"), E("x", N("i")))));

        Assert.Equal(
            "//vectorized: Vector<double>.Count iterations per pass from the top (they are independent); the scalar loop below does the rest; "
            + "//if the caller's buffers overlap, an iteration could read what another wrote: then all of it runs scalar; "
            + $"bool disjoint = n >= {V}.Count && !(global::System.MemoryExtensions.Overlaps((global::System.ReadOnlySpan<double>)x, (global::System.ReadOnlySpan<double>)dW)); "
            + $"for (i = n - {V}.Count; disjoint && i >= 0; i -= {V}.Count) {{ //line 13; "
            + $"(new {V}(dW.Slice(o * n + i)) + (new {V}(g) * new {V}(x.Slice(i)))).CopyTo(dW.Slice(o * n + i)); }} "
            + $"for (i = i + {V}.Count - 1; i >= 0; i--) {{ //line 13; dW[o * n + i] += g * x[i]; }}",
            Vectorized(loop));
    }

    /// <summary>
    /// The overlap test reads whole spans and the trip count: it moves before the outermost loop around it that changes none
    /// of them (a dense layer's reverse tests once per call, not once per row), and stays inside a loop that changes one.
    /// </summary>
    [Fact]
    public void OverlapTests_LeaveTheLoopsThatDoNotChangeWhatTheyRead()
    {
        var inner = Loop(CodeAssign.Add(E("dW", Plus(Mul(N("o"), N("n")), N("i"))), Mul(N("g"), E("x", N("i")))));
        string test = $"bool disjoint = n >= {V}.Count && !(global::System.MemoryExtensions.Overlaps((global::System.ReadOnlySpan<double>)x, (global::System.ReadOnlySpan<double>)dW));";

        // for (o = m - 1; o >= 0; o--) { g = dA * 2; the axpy }: nothing in it changes x, dW or n.
        var rows = CodeLoop.Counted("o", C("0"), N("m"), new List<Code> { CodeAssign.Set(N("g"), Mul(N("dA"), C("2"))), inner });
        string hoisted = Vectorized(rows);
        Assert.StartsWith("//if the caller's buffers overlap, an iteration could read what another wrote: then all of it runs scalar; " + test + " for (o = m - 1;", hoisted);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(hoisted, "bool disjoint"));

        // The same rows, each of a length the outer loop sets (n = o + 1): the test is made per row.
        var ragged = CodeLoop.Counted("o", C("0"), N("m"), new List<Code> { CodeAssign.Set(N("n"), Plus(N("o"), C("1"))), inner });
        string kept = Vectorized(ragged);
        Assert.StartsWith("for (o = m - 1;", kept);
        Assert.Contains("n = o + 1; //vectorized", kept);
        Assert.Contains(test, kept);
    }

    /// <summary>
    /// A loop known from constant bounds to run fewer than <see cref="Vectorizer.MinimumTrips"/> times (a 3x3 kernel's
    /// row) stays scalar: its vector pass would rarely run, and its setup would run every time. At the minimum it is vectorized.
    /// </summary>
    [Fact]
    public void ShortLoopsOfKnownLength_StayScalar()
    {
        var body = CodeAssign.Add(E("dW", N("i")), Mul(N("g"), E("x", N("i"))));
        var shortLoop = CodeLoop.Counted("i", C("0"), C("3"), new List<Code> { body }, trips: 3);
        Assert.Equal(Text(new Code[] { shortLoop }), Vectorized(shortLoop));
        var longEnough = CodeLoop.Counted("i", C("0"), C("8"), new List<Code> { body }, trips: Vectorizer.MinimumTrips);
        Assert.Contains("disjoint", Vectorized(longEnough), System.StringComparison.Ordinal);
    }

    [Fact]
    public void Reduction_GetsLanesOfPartialSums_AddedAfterTheVectorLoop()
    {
        // A local's gradient buffer (fresh) needs no overlap check; an array is read with new Vector<T>(array, k).
        var loop = Loop(
            CodeAssign.Declare("double", "dz", E("dH", N("i"))),
            CodeAssign.Reset(E("dH", N("i"))),
            CodeAssign.Add(N("dA"), Mul(N("dz"), E("xs", N("i")))));

        Assert.Equal(
            "//vectorized: Vector<double>.Count iterations per pass from the top (they are independent); the scalar loop below does the rest; "
            + $"{V} dALanes = {V}.Zero; "
            + $"for (i = n - {V}.Count; i >= 0; i -= {V}.Count) {{ {V} dz = new {V}(dH.Slice(i)); {V}.Zero.CopyTo(dH.Slice(i)); dALanes += dz * new {V}(xs, i); }} "
            + "dA += global::System.Numerics.Vector.Sum(dALanes); "
            + $"for (i = i + {V}.Count - 1; i >= 0; i--) {{ double dz = dH[i]; dH[i] = 0; dA += dz * xs[i]; }}",
            Vectorized(loop));
    }

    [Fact]
    public void InvariantParts_AreBroadcastAsWritten()
    {
        // dH[i] += -(g * labels[o]) * h[i] / 3: the invariant g * labels[o] is one scalar, broadcast.
        var invariant = Fragment.Parenthesized(Mul(N("g"), E("labels", N("o"))));
        var negated = Fragment.Negate(invariant, "-" + invariant);
        var value = Fragment.Binary(TreeKind.Divide, Mul(negated, E("h", N("i"))), C("3"), Mul(negated, E("h", N("i"))) + " / 3");
        string text = Vectorized(Loop(CodeAssign.Add(E("dH", N("i")), value)));

        Assert.Contains($"(new {V}(dH.Slice(i)) + ((new {V}(-(g * labels[o])) * new {V}(h.Slice(i))) / new {V}(3))).CopyTo(dH.Slice(i));", text);
        Assert.DoesNotContain("disjoint", text);
    }

    public static TheoryData<string> Unvectorizable => new()
    {
        "carried", "other offset", "call", "pop", "counter as value", "mixed precision", "reduction read", "scalar assignment", "branch", "step",
    };

    [Theory]
    [MemberData(nameof(Unvectorizable))]
    public void LoopsItCannotProve_StayAsTheyAre(string kind)
    {
        Code statement = kind switch
        {
            // dH[i] += g * dH[i + 1]: an element another iteration writes.
            "carried" => CodeAssign.Add(E("dH", N("i")), Mul(N("g"), E("dH", Plus(N("i"), C("1"))))),
            // dW[i] += g * w[n - i]: not unit stride.
            "other offset" => CodeAssign.Add(E("dW", N("i")), Mul(N("g"), E("w", Minus(N("n"), N("i"))))),
            "call" => CodeAssign.Add(E("dW", N("i")), "global::System.Math.Sin(" + E("x", N("i")) + ")"),
            "pop" => CodeAssign.Set(N("g"), Fragment.Literal("tape.Pop<double>()")),
            "counter as value" => CodeAssign.Add(E("dW", N("i")), Mul(N("g"), N("i"))),
            // A double scalar in a float loop: the scalar loop computes in double.
            "mixed precision" => CodeAssign.Add(E("dF", N("i")), Mul(N("g"), E("dF", N("i")))),
            "reduction read" => CodeAssign.Add(N("dA"), Mul(N("dA"), E("x", N("i")))),
            "scalar assignment" => CodeAssign.Set(N("g"), E("x", N("i"))),
            "branch" => new CodeIf(N("g") + " > 0", new List<Code> { CodeAssign.Add(E("dW", N("i")), N("g")) }),
            _ => CodeAssign.Add(E("dW", N("i")), N("g")),
        };
        var loop = kind == "step"
            ? CodeLoop.Down("i", N("n") + " - 1", N("i") + " >= 0", new List<Code> { statement }, declares: false)
            : Loop(statement);

        Assert.Equal(Text(new List<Code> { loop }), Vectorized(loop));
    }

    [Fact]
    public void OnlyInnermostLoops_AreVectorized_InsideBranches_AndOuterLoops()
    {
        var inner = Loop(CodeAssign.Add(E("dH", N("i")), Mul(N("g"), E("h", N("i")))));
        var outer = CodeLoop.Down("j", N("n") + " - 1", N("j") + " >= 0", new List<Code> { inner }, declares: false);
        string text = Vectorized(new CodeIf(N("g") + " > 0", new List<Code> { outer }));

        Assert.StartsWith("if (g > 0) { for (j = n - 1; j >= 0; j--) { //vectorized:", text);
        Assert.Contains($"for (i = i + {V}.Count - 1; i >= 0; i--)", text);
    }
}
