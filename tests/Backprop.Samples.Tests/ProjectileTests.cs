using System;
using System.Numerics;
using Projectile;
using Xunit;

namespace Backprop.Samples.Tests;

/// <summary>
/// The Projectile sample (a user struct and System.Numerics.Vector2 in a loss): its struct gradient against central
/// differences, the pullback accumulating into a struct, and no allocation per gradient call.
/// </summary>
public sealed class ProjectileTests
{
    private static readonly Vector2[] Observed = Flight(new Launch { Speed = 18f, Angle = 0.9f, Drag = 0.02f });

    private static Vector2[] Flight(Launch launch)
    {
        var positions = new Vector2[25];
        Model.Simulate(launch, positions);
        return positions;
    }

    public static TheoryData<float, float, float> Launches() => new() { { 12f, 0.6f, 0.005f }, { 20f, 1.1f, 0.03f }, { 17f, 0.85f, 0.015f } };

    [Theory]
    [MemberData(nameof(Launches))]
    public void LossGradient_IsAStruct_MatchingCentralDifferences(float speed, float angle, float drag)
    {
        var launch = new Launch { Speed = speed, Angle = angle, Drag = drag };
        float value = Model.LossGradient(launch, Observed, out Launch dLaunch);
        Assert.Equal(Model.Loss(launch, Observed), value, 4);
        var options = new GradientCheckOptions { Epsilon = 1e-4, AbsoluteTolerance = 1e-2, RelativeTolerance = 1e-2, Layout = [("speed", 1), ("angle", 1), ("drag", 1)] };
        GradientCheck.Check(p => Model.Loss(new Launch { Speed = p[0], Angle = p[1], Drag = p[2] }, Observed),
            new[] { speed, angle, drag }, new[] { dLaunch.Speed, dLaunch.Angle, dLaunch.Drag }, options).ThrowIfFailed();

        // The pullback adds seed × gradient into the struct it is given.
        var sum = new Launch { Speed = 1, Angle = 2, Drag = 3 };
        Model.LossPullback(launch, Observed, 0.5f, ref sum);
        Assert.Equal(1 + 0.5f * dLaunch.Speed, sum.Speed, 3);
        Assert.Equal(2 + 0.5f * dLaunch.Angle, sum.Angle, 3);
        Assert.Equal(3 + 0.5f * dLaunch.Drag, sum.Drag, 3);
    }

    [Fact]
    public void LossGradient_AllocatesNothing()
    {
        var launch = new Launch { Speed = 15f, Angle = 0.7f, Drag = 0.01f };
        for (int i = 0; i < 50; i++) Model.LossGradient(launch, Observed, out _);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 50; i++) Model.LossGradient(launch, Observed, out _);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
