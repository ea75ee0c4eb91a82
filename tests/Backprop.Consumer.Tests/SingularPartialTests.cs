using System;
using Xunit;

namespace Backprop.Consumer.Tests;

/// <summary>
/// A partial that is infinite or NaN where the operation is finite (Pow's ∂/∂y at x &lt; 0, its ∂/∂x at x = 0) reaches
/// only its own argument's derivative: a tangent along a direction in which that argument does not move is what reverse
/// mode's gradient gives, and a layer's Jacobian does not depend on the sweeps its shape picks.
/// </summary>
public sealed class SingularPartialTests
{
    public static TheoryData<double, double> Points() => new() { { -2, 2 }, { -1.5, 3 }, { 0, 0.5 }, { 0, 2 }, { 1.5, -0.5 } };

    [Theory]
    [MemberData(nameof(Points))]
    public void PowTangent_AlongEachArgument_IsReverseModesPartial(double x, double y)
    {
        SingularPartialFunctions.PowerGradient(x, y, out double dX, out double dY);
        SingularPartialFunctions.PowerTangent(x, y, 1, 0, out double alongX);
        SingularPartialFunctions.PowerTangent(x, y, 0, 1, out double alongY);
        Assert.Equal(dX, alongX);
        Assert.Equal(dY, alongY);
    }

    [Fact]
    public void PowTangent_FollowsTheDocumentedPartials()
    {
        SingularPartialFunctions.PowerTangent(-2, 2, 1, 0, out double t);
        Assert.Equal(-4.0, t);                            // y·x^(y−1); ∂/∂y is NaN at x < 0 but tY = 0
        SingularPartialFunctions.PowerTangent(0, 0.5, 0, 1, out t);
        Assert.Equal(0.0, t);                             // ∂/∂y is 0 at x = 0; ∂/∂x is +∞ but tX = 0
        SingularPartialFunctions.PowerTangent(-2, 2, 1, 1, out t);
        Assert.True(double.IsNaN(t));                     // moving y at x < 0: NaN, as documented
    }

    [Theory]
    [MemberData(nameof(Points))]
    public void PowJacobian_TallLayer_AgreesWithWideLayer(double x, double y)
    {
        var wide = new double[2];
        SingularPartialFunctions.PowerWideJacobian(x, y, new double[1], wide);
        var tall = new double[6];
        SingularPartialFunctions.PowerTallJacobian(x, y, new double[3], tall);
        Assert.Equal(wide, tall[..2]);
        var wideF = new float[2];
        SingularPartialFunctions.PowerWideFJacobian((float)x, (float)y, new float[1], wideF);
        var tallF = new float[6];
        SingularPartialFunctions.PowerTallFJacobian((float)x, (float)y, new float[3], tallF);
        Assert.Equal(wideF, tallF[..2]);
    }

    [Fact]
    public void ZeroAdjoint_TimesAnInfinitePartial_AddsNothing()
    {
        // ∂(x·y·z)/∂x = y·z = 6 at x = 0, where the unread o[0] = √x + y has an infinite partial (0 · ∞ would be NaN).
        SingularPartialFunctions.SecondOutputGradient(0, 2, 3, out double dX, out double dY, out double dZ);
        Assert.Equal([6.0, 0, 0], new[] { dX, dY, dZ });
        SingularPartialFunctions.SecondOutputOfHelperGradient(0, 2, 3, out dX, out dY, out dZ);
        Assert.Equal([6.0, 0, 0], new[] { dX, dY, dZ });
        var jacobian = new double[6];
        SingularPartialFunctions.SqrtAndProductJacobian(0, 2, 3, new double[2], jacobian);
        Assert.Equal([double.PositiveInfinity, 1, 0, 6, 0, 0], jacobian);
    }

    [Fact]
    public void Hessian_AlongADirectionThatDoesNotMoveTheSqrt_IsFinite()
    {
        // H·e_y of √(x + 0·y) + x·y at x = 0 is (1, 0): the tangent of √ along e_y is 0 (∂ = +∞, t = 0), a strong zero.
        var hessian = new double[4];
        SingularPartialFunctions.SqrtPlusProductHessian(0, 2, hessian);
        Assert.Equal([1.0, 0], hessian[2..]);
    }
}
