using System;
using System.Numerics;

namespace Backprop.Consumer.Tests;

/// <summary>A user struct of doubles with the members numeric code gives one: a constructor, operators, a computed property, methods.</summary>
public struct Vec2
{
    public double X, Y;

    public Vec2(double x, double y)
    {
        X = x;
        Y = y;
    }

    public static Vec2 operator +(Vec2 a, Vec2 b) => new(a.X + b.X, a.Y + b.Y);

    public static Vec2 operator -(Vec2 a, Vec2 b) => new(a.X - b.X, a.Y - b.Y);

    public static Vec2 operator *(double s, Vec2 a) => new(s * a.X, s * a.Y);

    public static Vec2 operator -(Vec2 a) => new(-a.X, -a.Y);

    /// <summary>The dot product as an operator returning a scalar.</summary>
    public static double operator *(Vec2 a, Vec2 b) => a.X * b.X + a.Y * b.Y;

    public double Norm => Math.Sqrt(X * X + Y * Y);

    public double Dot(Vec2 other) => X * other.X + Y * other.Y;

    /// <summary>A mutating method: called on a local, it changes the local.</summary>
    public void Scale(double s)
    {
        X *= s;
        Y *= s;
    }

    /// <summary>A block body with a loop and a branch whose arms both return.</summary>
    public Vec2 Rotated(double angle)
    {
        double c = 1, s = 0;
        for (int i = 0; i < 3; i++)
        {
            double t = c * Math.Cos(angle / 3) - s * Math.Sin(angle / 3);
            s = s * Math.Cos(angle / 3) + c * Math.Sin(angle / 3);
            c = t;
        }
        if (angle > 100) return this;
        else return new Vec2(c * X - s * Y, s * X + c * Y);
    }
}

/// <summary>Nested structs, and auto-properties as fields.</summary>
public struct Body
{
    public Vec2 Position;
    public Vec2 Velocity;
    public double Mass { get; set; }

    public double Energy => 0.5 * Mass * (Velocity * Velocity);

    public void Step(Vec2 force, double h)
    {
        Velocity += h / Mass * force;
        Position += h * Velocity;
    }
}

public record struct Pair(double A, double B);

public static partial class StructFunctions
{
    /// <summary>Construction, operators, a computed property and a method of a user struct; a field written in place.</summary>
    [Differentiable]
    public static double Springs(double k, double x0, double y0)
    {
        var p = new Vec2(x0, y0);
        var q = 2.0 * p + new Vec2(1, k) - -p;
        q.X += k * q.Y;
        q.Y *= 0.5;
        return q.Norm + p.Dot(q) + (p * q);
    }

    /// <summary>An object initializer, default, a swap through the struct's own fields, a struct-valued ?:.</summary>
    [Differentiable]
    public static double Initializers(double a, double b)
    {
        var u = new Vec2 { X = a, Y = b * b };
        Vec2 w = default;
        w.Y = a;
        u = new Vec2(u.Y, u.X);
        var pick = a > b ? u : w;
        return pick.X * u.Y + w.Y * Math.Exp(u.X);
    }

    private static (double, double) Derivatives(double y, double v, double k) => (v, -k * y - 0.1 * v);

    /// <summary>A tuple-returning helper deconstructed in a loop (an explicit Euler integration).</summary>
    [Differentiable]
    public static double Oscillator(double k, double y0)
    {
        double y = y0, v = 0, h = 0.05;
        for (int i = 0; i < 60; i++)
        {
            var (dy, dv) = Derivatives(y, v, k);
            y += h * dy;
            v += h * dv;
        }
        return y * y + v;
    }

    private static (double Sum, double Product) SumAndProduct(double a, double b)
    {
        double sum = a + b;
        return (sum, a * b);
    }

    /// <summary>A named tuple local and its elements by name; a block-bodied helper returning a tuple.</summary>
    [Differentiable]
    public static double NamedTuples(double a, double b)
    {
        var t = SumAndProduct(a, b);
        (double First, double Second) pair = (t.Product, 2);
        pair.Second += t.Sum * a;
        return pair.First * pair.Second + t.Item1;
    }

    /// <summary>Nested structs: fields of fields written, a mutating method, a computed property over an operator.</summary>
    [Differentiable]
    public static double Projectile(double vx, double vy, double drag)
    {
        var body = new Body { Position = new Vec2(0, 1), Velocity = new Vec2(vx, vy), Mass = 2 };
        for (int i = 0; i < 20; i++)
        {
            var force = new Vec2(-drag * body.Velocity.X, -9.81 * body.Mass - drag * body.Velocity.Y);
            body.Step(force, 0.05);
        }
        body.Position.Y -= 0.5;
        return body.Position.X * body.Position.Y + body.Energy;
    }

    /// <summary>A mutating method on a local, a method with a loop and branches returning a struct, a record struct and <c>with</c>.</summary>
    [Differentiable]
    public static double Methods(double x, double angle)
    {
        var v = new Vec2(x, 1 - x);
        v.Scale(x);
        var r = v.Rotated(angle);
        var pair = new Pair(r.X, r.Y * x);
        var swapped = pair with { B = pair.A * x };
        return pair.A * pair.B + r.Norm + swapped.B * swapped.A;
    }

    /// <summary>System.Numerics.Vector3 members with rules (float).</summary>
    [Differentiable]
    public static float Vectors(float a, float b, float c)
    {
        var u = new Vector3(a, b, 1f);
        var w = Vector3.Cross(u, new Vector3(new Vector2(b, a * c), 2f));
        var n = Vector3.Normalize(w + u);
        var m = Vector3.Lerp(u, w, 0.25f) * 2f - Vector3.UnitX / 4f;
        var clamped = Vector3.Clamp(m, new Vector3(-1f), Vector3.One);
        return Vector3.Dot(n, u) + w.Length() + Vector3.Distance(u, w) + Vector3.DistanceSquared(n, m) * 0.1f
            + Vector3.Max(Vector3.Abs(u), w).LengthSquared() * 0.01f + Vector3.Min(u, -w).Z + clamped.X + Vector3.SquareRoot(new Vector3(c * c + 1f)).Y;
    }

    /// <summary>Vector2 in a loop: a damped particle pulled to a target.</summary>
    [Differentiable]
    public static float Particle(float stiffness, float damping)
    {
        var position = new Vector2(1f, 0f);
        var velocity = Vector2.Zero;
        var target = new Vector2(0.5f, 2f);
        for (int i = 0; i < 30; i++)
        {
            var acceleration = stiffness * (target - position) - damping * velocity;
            velocity += 0.05f * acceleration;
            position += 0.05f * velocity;
        }
        return Vector2.Distance(position, target) + velocity.X;
    }

    /// <summary>A struct parameter: its gradient is a struct of the same type (out Vec2 dP).</summary>
    [Differentiable]
    public static double Attract(Vec2 p, Vec2 q, double k)
    {
        var d = p - q;
        return k * (d * d) + p.X * Math.Sin(q.Y);
    }

    /// <summary>A struct parameter the body writes: copied into locals first.</summary>
    [Differentiable]
    public static double Moved(Vec2 p, double h)
    {
        p.X += h * p.Y;
        p = 2.0 * p;
        return p.X * p.Y;
    }

    /// <summary>A struct parameter marked [NoDerivative]: data, no gradient.</summary>
    [Differentiable]
    public static double Offset(double x, [NoDerivative] Vec2 origin) => (x - origin.X) * (x - origin.Y) + origin.Norm;

    private static double Energy(Vec2 position, Vec2 velocity, double mass)
    {
        double potential = 0;
        for (int i = 1; i <= 3; i++) potential += mass * 9.81 * position.Y / i;
        return 0.5 * mass * (velocity * velocity) + potential;
    }

    /// <summary>Early returns in an inlined helper: from a branch, from inside a nested loop, and at the end.</summary>
    private static Vec2 ClampLength(Vec2 v, double max)
    {
        double length = v.Norm;
        if (length <= max) return v;
        for (int i = 0; i < 3; i++)
        {
            for (int j = 0; j < 2; j++)
                if (length * (i + j) > 4 * max) return (max / length) * v;
            if (v.X > 1.2) return new Vec2(max, 0);
        }
        double s = max / length;
        return new Vec2(v.X * s, v.Y * s);
    }

    [Differentiable]
    public static double Clamped(double x, double y, double max)
    {
        var total = new Vec2(0, 0);
        for (int k = 0; k < 3; k++) total += ClampLength(new Vec2(x * (k + 1), y - k), max);
        return total.X * total.Y + ClampLength(new Vec2(y, x), 0.5).Norm;
    }

    /// <summary>A helper taking structs and returning a scalar, with a loop in its body.</summary>
    [Differentiable]
    public static double Energies(double x, double y, double m)
    {
        var p = new Vec2(x, y);
        return Energy(p, new Vec2(y, x * m), m) + Energy(2.0 * p, p, 1);
    }
}

/// <summary>Helpers with ref and out parameters (issue 16): inlined, each parameter naming the caller's variable.</summary>
public static partial class RefOutFunctions
{
    private static void PolarToCartesian(double r, double theta, out double x, out double y)
    {
        x = r * Math.Cos(theta);
        y = r * Math.Sin(theta);
    }

    private static double Accumulate(ref double total, double value)
    {
        total += value * value;
        return total;
    }

    private static void Swap(ref double a, ref double b) => (a, b) = (b, a);

    private static void Integrate(ref Vec2 position, ref Vec2 velocity, Vec2 force, double h)
    {
        velocity += h * force;
        position += h * velocity;
    }

    /// <summary>out var, a ref accumulator called for its side effect (and once with itself as the value), a swap, struct refs.</summary>
    [Differentiable]
    public static double OutAndRef(double r, double theta)
    {
        PolarToCartesian(r, theta, out var x, out double y);
        double total = 0;
        for (int i = 0; i < 3; i++) Accumulate(ref total, x * i + y);
        double last = Accumulate(ref total, total);
        double a = x, b = y * 2;
        Swap(ref a, ref b);
        var p = new Vec2(x, y);
        var v = new Vec2(0, r);
        Integrate(ref p, ref v, new Vec2(-x, -y), 0.1);
        return 0.01 * last + a * Math.Sin(b) + p.X * v.Y;
    }

    /// <summary>ref arguments that are elements: of a local buffer (index captured at the call), through a ref local.</summary>
    [Differentiable]
    public static double Elements(double r, double theta)
    {
        Span<double> w = stackalloc double[3];
        w[0] = r;
        w[1] = theta;
        int i = 0;
        Accumulate(ref w[i++], r * theta);
        Accumulate(ref w[i], Math.Cos(r));
        ref double last = ref w[2];
        Swap(ref last, ref w[0]);
        Accumulate(ref last, w[1]);
        return w[0] * w[1] + w[2] * w[2] + i;
    }
}

/// <summary>Arrays and spans of structs as differentiated inputs: Span&lt;S&gt; gradients, incremented.</summary>
public static partial class StructArrayFunctions
{
    /// <summary>Indexed reads, Length, foreach, a struct local copied from an element, a helper over two elements.</summary>
    [Differentiable]
    public static double Polygon(Vec2[] points, double k)
    {
        double area = 0;
        for (int i = 0; i < points.Length; i++)
        {
            var a = points[i];
            var b = points[(i + 1) % points.Length];
            area += 0.5 * (a.X * b.Y - b.X * a.Y);
        }
        double spread = 0;
        foreach (var p in points) spread += Math.Exp(-k * (p * p));
        return area * area + spread;
    }

    /// <summary>A read-only span of Vector2 (floats), with Vector2 members on its elements.</summary>
    [Differentiable]
    public static float Rope(ReadOnlySpan<Vector2> joints, float rest)
    {
        float energy = 0;
        for (int i = 1; i < joints.Length; i++)
        {
            float stretch = Vector2.Distance(joints[i], joints[i - 1]) - rest;
            energy += stretch * stretch + 0.1f * joints[i].Y;
        }
        return energy;
    }
}

/// <summary>A model class with struct members: their gradients are the same members of dThis.</summary>
public partial class Pendulum
{
    public Vector2 Anchor = new(0.5f, 2f);
    public Vec2 Gain = new(1.5, -0.5);
    public double Length = 1.2;

    [Differentiable]
    public double Loss(double angle)
    {
        var tip = new Vec2(Anchor.X + Length * Math.Sin(angle), Anchor.Y - Length * Math.Cos(angle));
        return tip * Gain + Anchor.LengthSquared();
    }
}

/// <summary>Layers whose outputs are spans of structs: each number written is differentiated through the span's flat view.</summary>
public static partial class StructOutputLayers
{
    /// <summary>Rotates points by an angle: whole elements written with a constructor.</summary>
    [Differentiable]
    public static void Rotate(ReadOnlySpan<Vec2> xs, double angle, Span<Vec2> ys)
    {
        double c = Math.Cos(angle), s = Math.Sin(angle);
        for (int i = 0; i < xs.Length; i++)
            ys[i] = new Vec2(c * xs[i].X - s * xs[i].Y, s * xs[i].X + c * xs[i].Y);
    }

    /// <summary>Lifts pairs of numbers to <see cref="Vector3"/>s field by field, the last one written twice.</summary>
    [Differentiable]
    public static void Lift(ReadOnlySpan<float> xs, float k, Span<Vector3> ys)
    {
        for (int i = 0; i < ys.Length; i++)
        {
            ys[i].X = k * xs[2 * i];
            ys[i].Y = MathF.Tanh(xs[2 * i + 1]) * k;
            ys[i].Z = MathF.Tanh(k * xs[2 * i]);
            ys[i].Z = k * xs[2 * i] * xs[2 * i + 1];
        }
    }
}
