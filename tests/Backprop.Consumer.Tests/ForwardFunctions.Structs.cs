using System;
using Backprop;

namespace Backprop.Consumer.Tests;

/// <summary>
/// Struct parameters in forward mode and Jacobians: a struct's tangent is a struct of the same type (<c>Vec2 tP</c>), its
/// Jacobian columns are its real fields in declaration order (nested structs flattened).
/// </summary>
public static partial class ForwardFunctions
{
    /// <summary>Two struct parameters, one nested with an auto-property: columns p.X, p.Y, k, body.Position.X … body.Mass.</summary>
    [Differentiable(Forward = true, Jacobian = true)]
    public static double StructEnergy(Vec2 p, double k, Body body) =>
        k * ((p - body.Position) * (p - body.Position)) + Math.Sin(p.X * body.Mass) + body.Velocity.Norm * Bump(p.Y);

    /// <summary>A struct parameter the body writes (copied into locals first).</summary>
    [Differentiable(Forward = true, Jacobian = true)]
    public static double StructWritten(Vec2 p, double s)
    {
        p.Scale(s);
        p.X += p.Y * p.Y;
        return p.X * Math.Exp(-p.Y);
    }

    /// <summary>A layer of a struct: MJacobian takes forward sweeps when y has more entries than the 3 inputs, else reverse sweeps.</summary>
    [Differentiable(Forward = true, Jacobian = true)]
    public static void StructLayer(Vec2 origin, double scale, Span<double> y)
    {
        for (int i = 0; i < y.Length; i++)
        {
            Vec2 q = origin;
            q.Scale(scale * (i + 1));
            y[i] = q.Norm + Math.Sin(q.X);
        }
    }

    /// <summary>A span of structs: its tangent is a span of structs, its Jacobian columns its numbers (p0.X, p0.Y, p1.X …).</summary>
    [Differentiable(Forward = true, Jacobian = true)]
    public static double PointsEnergy(ReadOnlySpan<Vec2> points, double k)
    {
        double e = 0;
        for (int i = 0; i + 1 < points.Length; i++)
        {
            Vec2 d = points[i + 1] - points[i];
            e += k * (d * d) + Math.Sin(points[i].X * k);
        }
        return e + points[points.Length - 1].Norm;
    }

    /// <summary>An array of structs in a layer: forward sweeps (one per number) when y is longer than the inputs, else reverse sweeps.</summary>
    [Differentiable(Forward = true, Jacobian = true)]
    public static void PointsLayer(Vec2[] points, double s, Span<double> y)
    {
        for (int i = 0; i < y.Length; i++)
        {
            Vec2 p = points[i % points.Length];
            y[i] = Math.Tanh(p.X * s + i) * p.Y;
        }
    }
}
