using System;
using System.Numerics;
using Backprop;

namespace Projectile;

/// <summary>How the ball was thrown: the unknowns of the fit.</summary>
public struct Launch
{
    /// <summary>Initial speed, m/s.</summary>
    public float Speed;

    /// <summary>Elevation angle, radians.</summary>
    public float Angle;

    /// <summary>Quadratic drag per unit mass, 1/m (acceleration −Drag·|v|·v).</summary>
    public float Drag;
}

public static partial class Model
{
    public const float Gravity = 9.81f;

    /// <summary>Time between observations, s; the simulation takes <see cref="SubSteps"/> steps in between.</summary>
    public const float Interval = 0.1f;

    public const int SubSteps = 10;

    /// <summary>
    /// Mean squared distance between the simulated flight (semi-implicit Euler, gravity and quadratic drag, in
    /// System.Numerics.Vector2) and the observed positions, one every <see cref="Interval"/> seconds. The gradient is
    /// a Launch too: Model.LossGradient(launch, observed, out Launch dLaunch).
    /// </summary>
    [Differentiable]
    public static float Loss(Launch launch, [NoDerivative] ReadOnlySpan<Vector2> observed)
    {
        const float dt = Interval / SubSteps;
        var position = Vector2.Zero;
        var velocity = launch.Speed * new Vector2(MathF.Cos(launch.Angle), MathF.Sin(launch.Angle));
        float loss = 0;
        for (int i = 0; i < observed.Length; i++)
        {
            for (int s = 0; s < SubSteps; s++)
            {
                var acceleration = new Vector2(0, -Gravity) - launch.Drag * velocity.Length() * velocity;
                velocity += dt * acceleration;
                position += dt * velocity;
            }
            loss += Vector2.DistanceSquared(position, observed[i]);
        }
        return loss / observed.Length;
    }

    /// <summary>The flight itself, for generating observations.</summary>
    public static void Simulate(Launch launch, Span<Vector2> positions)
    {
        const float dt = Interval / SubSteps;
        var position = Vector2.Zero;
        var velocity = launch.Speed * new Vector2(MathF.Cos(launch.Angle), MathF.Sin(launch.Angle));
        for (int i = 0; i < positions.Length; i++)
        {
            for (int s = 0; s < SubSteps; s++)
            {
                var acceleration = new Vector2(0, -Gravity) - launch.Drag * velocity.Length() * velocity;
                velocity += dt * acceleration;
                position += dt * velocity;
            }
            positions[i] = position;
        }
    }
}
