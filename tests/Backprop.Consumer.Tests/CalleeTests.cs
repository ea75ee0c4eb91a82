using System;
using System.Linq;
using Xunit;

namespace Backprop.Consumer.Tests;

/// <summary>
/// Generic and recursive unmarked callees (<see cref="CalleeFunctions"/>, issue 16): gradients, tangents,
/// Jacobians and Hessians against central differences.
/// </summary>
public sealed class CalleeTests
{
    private static readonly Random Points = new(1617);

    private static double[] Point(int n, double low = -1.5, double high = 1.5) =>
        Enumerable.Range(0, n).Select(_ => low + (high - low) * Points.NextDouble()).ToArray();

    private static void Check(Func<double[], double> function, double[] point, double[] analytic, string name)
    {
        var result = GradientCheck.Check(function, point, analytic);
        Assert.True(result.Passed, name + " at (" + string.Join(", ", point) + "): " + result);
    }

    [Fact]
    public void GenericCallee_WithGenericMathStatics_MatchesCentralDifferences_InEveryMode()
    {
        for (int trial = 0; trial < 6; trial++)
        {
            var p = Point(2);
            double value = CalleeFunctions.BlendOfDoublesGradient(p[0], p[1], out double dX, out double dY);
            Assert.Equal(CalleeFunctions.BlendOfDoubles(p[0], p[1]), value);
            Check(q => CalleeFunctions.BlendOfDoubles(q[0], q[1]), p, new[] { dX, dY }, "Blend");

            CalleeFunctions.BlendOfDoublesTangent(p[0], p[1], 0.3, -0.7, out double tangent);
            Assert.Equal(0.3 * dX - 0.7 * dY, tangent, 10);

            var hessian = new double[4];
            CalleeFunctions.BlendOfDoublesHessian(p[0], p[1], hessian);
            const double h = 1e-5;
            for (int i = 0; i < 2; i++)
            {
                var up = (double[])p.Clone();
                var down = (double[])p.Clone();
                up[i] += h;
                down[i] -= h;
                CalleeFunctions.BlendOfDoublesGradient(up[0], up[1], out double upX, out double upY);
                CalleeFunctions.BlendOfDoublesGradient(down[0], down[1], out double downX, out double downY);
                Assert.Equal((upX - downX) / (2 * h), hessian[i], 4);
                Assert.Equal((upY - downY) / (2 * h), hessian[2 + i], 4);
            }
        }
    }

    [Fact]
    public void GenericCallee_CalledWithFloats_IsItsFloatSpecialization()
    {
        for (int trial = 0; trial < 6; trial++)
        {
            var p = Point(2);
            float value = CalleeFunctions.BlendOfFloatsGradient((float)p[0], (float)p[1], out float dX, out float dY);
            Assert.Equal(CalleeFunctions.BlendOfFloats((float)p[0], (float)p[1]), value);
            CalleeFunctions.BlendOfDoublesGradient((float)p[0], (float)p[1], out double exactX, out double exactY);
            Assert.Equal(0.5 * exactX, dX, 0.5e-3 * Math.Max(1, Math.Abs(exactX)));
            Assert.Equal(0.5 * exactY, dY, 0.5e-3 * Math.Max(1, Math.Abs(exactY)));

            CalleeFunctions.BothPrecisionsGradient(p[0], p[1], out double bothX, out double bothY);
            Assert.Equal(2 * exactX, bothX, 1e-3 * Math.Max(1, Math.Abs(exactX)));
            Assert.Equal(2 * exactY, bothY, 1e-3 * Math.Max(1, Math.Abs(exactY)));
        }
    }

    [Fact]
    public void GenericLayer_GenericRecursion_DiscardedCall_AndBufferArguments_MatchCentralDifferences()
    {
        for (int trial = 0; trial < 6; trial++)
        {
            var p = Point(7);
            double[] x = p[..3], w = p[3..6];
            double[] dXs = new double[3], dW = new double[3];
            CalleeFunctions.GenericLayerGradient(x, w, p[6], dXs, dW, out double dScale);
            Check(q => CalleeFunctions.GenericLayer(q[..3], q[3..6], q[6]), p, dXs.Concat(dW).Append(dScale).ToArray(), "GenericLayer");

            CalleeFunctions.GenericRecursionGradient(p[0], out double dNest);
            Check(q => CalleeFunctions.GenericRecursion(q[0]), p[..1], new[] { dNest }, "GenericRecursion");

            CalleeFunctions.DiscardedCallGradient(p[0], p[1], out double dX, out double dY);
            Check(q => CalleeFunctions.DiscardedCall(q[0], q[1]), p[..2], new[] { dX, dY }, "DiscardedCall");

            CalleeFunctions.ArgumentBuffersGradient(p[0], p[1], out dX, out dY);
            Check(q => CalleeFunctions.ArgumentBuffers(q[0], q[1]), p[..2], new[] { dX, dY }, "ArgumentBuffers");
        }
    }

    [Fact]
    public void RecursiveCallees_AndARecursiveDifferentiableMethod_MatchCentralDifferences()
    {
        for (int trial = 0; trial < 6; trial++)
        {
            var p = Point(5);
            double[] c = p[..4], dC = new double[4];
            CalleeFunctions.PolynomialGradient(c, p[4], dC, out double dX);
            Check(q => CalleeFunctions.Polynomial(q[..4], q[4]), p, dC.Append(dX).ToArray(), "Polynomial");

            for (int n = 0; n < 4; n++)
            {
                double value = CalleeFunctions.PowerByRecursionGradient(p[0], n, out double dPower);
                Assert.Equal(Math.Pow(p[0], n), value, 12);
                Assert.Equal(n * Math.Pow(p[0], n - 1), dPower, 12);
                var jacobian = new double[1];
                CalleeFunctions.PowerByRecursionJacobian(p[0], n, jacobian);
                Assert.Equal(dPower, jacobian[0], 12);

                CalleeFunctions.MutualGradient(p[1], n, out double dMutual);
                Check(q => CalleeFunctions.Mutual(q[0], n), new[] { p[1] }, new[] { dMutual }, "Mutual");
                CalleeFunctions.MutualFromOddGradient(p[1], n, out double dFromOdd);
                Check(q => CalleeFunctions.MutualFromOdd(q[0], n), new[] { p[1] }, new[] { dFromOdd }, "MutualFromOdd");
            }
        }
    }

    [Fact]
    public void LargeBufferUpdatedInPlace_ItsCopyIsNotOnTheStack()
    {
        // 200,000 doubles (1.6 MB) on a thread with a 1 MB stack: a stackalloc'd copy would overflow it.
        const int n = 200_000;
        var random = new Random(4);
        double[] p = Enumerable.Range(0, n).Select(_ => 0.5 + 0.4 * random.NextDouble()).ToArray();
        string? failure = null;
        var thread = new System.Threading.Thread(() =>
        {
            double[] changed = (double[])p.Clone(), dP = new double[n];
            double value = CalleeFunctions.PrefixProductsGradient(changed, 0.3, dP, out double dScale);
            double[] original = (double[])p.Clone();
            if (value != CalleeFunctions.PrefixProducts(original, 0.3)) failure = "value " + value;
            else if (!changed.SequenceEqual(original)) failure = "the caller's buffer is not as the method leaves it";
            else
            {
                // A few entries against central differences (each evaluation is a pass over all of p).
                foreach (int k in new[] { 0, 1, n / 2, n - 1 })
                {
                    double[] plus = (double[])p.Clone(), minus = (double[])p.Clone();
                    plus[k] += 1e-6;
                    minus[k] -= 1e-6;
                    double numeric = (CalleeFunctions.PrefixProducts(plus, 0.3) - CalleeFunctions.PrefixProducts(minus, 0.3)) / 2e-6;
                    if (Math.Abs(numeric - dP[k]) > 1e-5 * Math.Max(1, Math.Abs(numeric))) failure = "dP[" + k + "] = " + dP[k] + ", numeric " + numeric;
                }
            }
        }, maxStackSize: 1 << 20);
        thread.Start();
        thread.Join();
        Assert.True(failure is null, failure);
    }

    [Fact]
    public void BuffersUpdatedInPlace_GradientAtTheValuesOnEntry_AndTheCallersBufferAsTheOriginalLeavesIt()
    {
        for (int trial = 0; trial < 6; trial++)
        {
            var p = Point(5, 0.3, 1.2);
            double[] w = p[..4];
            double[] dW = new double[4];
            double[] changed = (double[])w.Clone();
            double value = CalleeFunctions.PrefixProductsGradient(changed, p[4], dW, out double dScale);
            double[] original = (double[])w.Clone();
            Assert.Equal(CalleeFunctions.PrefixProducts(original, p[4]), value);
            Assert.Equal(original, changed);
            Check(q => CalleeFunctions.PrefixProducts(q[..4], q[4]), p, dW.Append(dScale).ToArray(), "PrefixProducts");

            dW = new double[4];
            changed = (double[])w.Clone();
            value = CalleeFunctions.InPlaceHelpersGradient(changed, p[4], dW, out double dY);
            original = (double[])w.Clone();
            Assert.Equal(CalleeFunctions.InPlaceHelpers(original, p[4]), value);
            Assert.Equal(original, changed);
            Check(q => CalleeFunctions.InPlaceHelpers(q[..4], q[4]), p, dW.Append(dY).ToArray(), "InPlaceHelpers");
        }
    }
}
