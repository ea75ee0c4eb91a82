using System;
using System.Linq;
using Xunit;

namespace Backprop.Consumer.Tests;

/// <summary>
/// Reverse loops run over <c>Vector&lt;T&gt;</c> lanes with a scalar tail (<see cref="VectorizedLoopFunctions"/>): against
/// central differences for lengths that are and are not multiples of the lane count, in double and float; loops that
/// must stay scalar; caller buffers that overlap; no allocation.
/// </summary>
public sealed class VectorizedLoopTests
{
    public static TheoryData<int> Lengths => new() { 0, 1, 3, 7, 17, 33 };

    private static double[] Point(int n, int seed, double low = -1.2, double high = 1.2)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => low + (high - low) * random.NextDouble()).ToArray();
    }

    private static float[] PointF(int n, int seed) => Point(n, seed).Select(v => (float)v).ToArray();

    private static void Check(Func<double[], double> function, double[] point, double[] gradient)
    {
        var result = GradientCheck.Check(function, point, gradient);
        Assert.True(result.Passed, result.ToString());
    }

    private static void Check(Func<float[], float> function, float[] point, float[] gradient)
    {
        var result = GradientCheck.Check(function, point, gradient);
        Assert.True(result.Passed, result.ToString());
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Dot_MatchesFiniteDifferences(int n)
    {
        var w = Point(n, 1);
        var x = Point(n, 2);
        var dW = new double[n];
        var dX = new double[n];
        double value = VectorizedLoopFunctions.DotGradient(w, x, dW, dX);
        Assert.Equal(VectorizedLoopFunctions.Dot(w, x), value);
        Check(q => VectorizedLoopFunctions.Dot(q.AsSpan(0, n), q.AsSpan(n, n)), w.Concat(x).ToArray(), dW.Concat(dX).ToArray());
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void DotFloat_MatchesFiniteDifferences(int n)
    {
        var w = PointF(n, 3);
        var x = PointF(n, 4);
        var dW = new float[n];
        var dX = new float[n];
        float value = VectorizedLoopFunctions.DotFGradient(w, x, dW, dX);
        Assert.Equal(VectorizedLoopFunctions.DotF(w, x), value);
        Check(q => VectorizedLoopFunctions.DotF(q.AsSpan(0, n), q.AsSpan(n, n)), w.Concat(x).ToArray(), dW.Concat(dX).ToArray());
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Axpy_MatchesFiniteDifferences(int n)
    {
        double a = 0.7;
        var x = Point(n, 5);
        var y = Point(n, 6);
        var dX = new double[n];
        var dY = new double[n];
        VectorizedLoopFunctions.AxpyGradient(a, x, y, out double dA, dX, dY);
        Check(q => VectorizedLoopFunctions.Axpy(q[0], q.AsSpan(1, n), q.AsSpan(1 + n, n)),
            new[] { a }.Concat(x).Concat(y).ToArray(), new[] { dA }.Concat(dX).Concat(dY).ToArray());
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void AxpyFloat_MatchesFiniteDifferences(int n)
    {
        float a = -0.6f;
        var x = PointF(n, 7);
        var y = PointF(n, 8);
        var dX = new float[n];
        var dY = new float[n];
        VectorizedLoopFunctions.AxpyFGradient(a, x, y, out float dA, dX, dY);
        Check(q => VectorizedLoopFunctions.AxpyF(q[0], q.AsSpan(1, n), q.AsSpan(1 + n, n)),
            new[] { a }.Concat(x).Concat(y).ToArray(), new[] { dA }.Concat(dX).Concat(dY).ToArray());
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Map_MatchesFiniteDifferences(int n)
    {
        double c = 0.45;
        var x = Point(n, 9);
        var dX = new double[n];
        VectorizedLoopFunctions.MapGradient(x, c, dX, out double dC);
        Check(q => VectorizedLoopFunctions.Map(q.AsSpan(0, n), q[n]), x.Append(c).ToArray(), dX.Append(dC).ToArray());
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void MapFloat_MatchesFiniteDifferences(int n)
    {
        float c = 0.45f;
        var x = PointF(n, 10);
        var dX = new float[n];
        VectorizedLoopFunctions.MapFGradient(x, c, dX, out float dC);
        Check(q => VectorizedLoopFunctions.MapF(q.AsSpan(0, n), q[n]), x.Append(c).ToArray(), dX.Append(dC).ToArray());
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void RowsAtAnOffset_MatchFiniteDifferences(int n)
    {
        var w = Point(3 * n, 11, -0.5, 0.5);
        var x = Point(n, 12);
        var dW = new double[3 * n];
        var dX = new double[n];
        VectorizedLoopFunctions.RowsGradient(w, x, n, dW, dX);
        Check(q => VectorizedLoopFunctions.Rows(q.AsSpan(0, 3 * n), q.AsSpan(3 * n, n), n), w.Concat(x).ToArray(), dW.Concat(dX).ToArray());
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void RowsAtAnOffsetFloat_MatchFiniteDifferences(int n)
    {
        var w = PointF(3 * n, 13).Select(v => v / 2).ToArray();
        var x = PointF(n, 14);
        var dW = new float[3 * n];
        var dX = new float[n];
        VectorizedLoopFunctions.RowsFGradient(w, x, n, dW, dX);
        Check(q => VectorizedLoopFunctions.RowsF(q.AsSpan(0, 3 * n), q.AsSpan(3 * n, n), n), w.Concat(x).ToArray(), dW.Concat(dX).ToArray());
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void LoopsThatStayScalar_MatchFiniteDifferences(int n)
    {
        var w = Point(n, 15, -0.9, 0.9);
        var x = Point(n, 16);
        var dW = new double[n];
        VectorizedLoopFunctions.CarriedGradient(w, 0.8, dW, out double dXc);
        Check(q => VectorizedLoopFunctions.Carried(q.AsSpan(0, n), q[n]), w.Append(0.8).ToArray(), dW.Append(dXc).ToArray());

        dW = new double[n];
        VectorizedLoopFunctions.MirroredGradient(w, dW);
        Check(q => VectorizedLoopFunctions.Mirrored(q), w, dW);
        // s = Σ w[i] w[n-1-i]: ∂s/∂w[i] = 2 w[n-1-i], exactly (two equal products added).
        Assert.Equal(Enumerable.Range(0, n).Select(i => 2 * w[n - 1 - i]).ToArray(), dW);

        dW = new double[n];
        var dX = new double[n];
        VectorizedLoopFunctions.WithCallGradient(w, x, dW, dX);
        Check(q => VectorizedLoopFunctions.WithCall(q.AsSpan(0, n), q.AsSpan(n, n)), w.Concat(x).ToArray(), dW.Concat(dX).ToArray());
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void ElementwiseGradients_AreExactlyTheScalarLoops(int n)
    {
        // Dot's reverse is element-wise: dW[i] += dS * x[i] with dS = 2 s, the same IEEE operations in every lane.
        var w = Point(n, 17);
        var x = Point(n, 18);
        var dW = Point(n, 19);
        var dX = Point(n, 20);
        var expectedW = (double[])dW.Clone();
        var expectedX = (double[])dX.Clone();
        double s = 0.5;
        for (int i = 0; i < n; i++) s += w[i] * x[i];
        double dS = s + s;
        for (int i = n - 1; i >= 0; i--)
        {
            expectedW[i] += dS * x[i];
            expectedX[i] += dS * w[i];
        }
        VectorizedLoopFunctions.DotGradient(w, x, dW, dX);
        Assert.Equal(expectedW, dW);
        Assert.Equal(expectedX, dX);
    }

    [Fact]
    public void OverlappingCallerBuffers_RunTheScalarLoop()
    {
        // dW is x one element earlier: dW[i] is x[i - 1]. Running from the top down, iteration i reads x[i], which
        // iteration i + 1 has just written as dW[i + 1]; lanes would read it before writing it. The generated code finds
        // the overlap and runs the scalar loop, whose result this simulates.
        const int n = 33;
        var w = Point(n, 21);
        var memory = Point(n + 1, 22);
        var dX = new double[n];
        var expectedMemory = (double[])memory.Clone();
        var expectedX = new double[n];
        double s = 0.5;
        for (int i = 0; i < n; i++) s += w[i] * memory[i + 1];
        double dS = s + s;
        for (int i = n - 1; i >= 0; i--)
        {
            expectedMemory[i] += dS * expectedMemory[i + 1];
            expectedX[i] += dS * w[i];
        }
        VectorizedLoopFunctions.DotGradient(w, memory.AsSpan(1, n), memory.AsSpan(0, n), dX);
        Assert.Equal(expectedMemory, memory);
        Assert.Equal(expectedX, dX);
    }

    private static long AllocatedBy(Action call)
    {
        for (int i = 0; i < 100; i++) call();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) call();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Fact]
    public void VectorizedGradients_AllocateNothing()
    {
        var w = Point(99, 23);
        var x = Point(33, 24);
        var dW = new double[99];
        var dX = new double[33];
        var wf = PointF(33, 25);
        var xf = PointF(33, 26);
        var dWf = new float[33];
        var dXf = new float[33];
        Assert.Equal(0, AllocatedBy(() =>
        {
            VectorizedLoopFunctions.DotGradient(w.AsSpan(0, 33), x, dW.AsSpan(0, 33), dX);
            VectorizedLoopFunctions.DotFGradient(wf, xf, dWf, dXf);
            VectorizedLoopFunctions.AxpyGradient(0.3, x, x, out _, dX, dW.AsSpan(0, 33));
            VectorizedLoopFunctions.MapGradient(x, 0.2, dX, out _);
            VectorizedLoopFunctions.RowsGradient(w, x, 33, dW, dX);
        }));
    }
}
