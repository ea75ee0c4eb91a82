using Xunit;

namespace Backprop.Generator.Tests;

/// <summary>Snapshots of struct values lowered to scalars: a user struct's operators inlined, a struct parameter's gradient, a model class's struct member.</summary>
public sealed class StructSnapshotTests
{
    [Fact]
    public void StructValues_OperatorsInlined_StructParameterGradient() => SnapshotTests.VerifyGenerated("""
        public struct Vec2
        {
            public double X, Y;
            public Vec2(double x, double y) { X = x; Y = y; }
            public static Vec2 operator -(Vec2 a, Vec2 b) => new(a.X - b.X, a.Y - b.Y);
            public double LengthSquared() => X * X + Y * Y;
        }

        public static partial class Model
        {
            [Differentiable]
            public static double Spring(Vec2 p, Vec2 anchor, double k)
            {
                var d = p - anchor;
                return 0.5 * k * d.LengthSquared();
            }
        }
        """, nameof(StructValues_OperatorsInlined_StructParameterGradient));

    /// <summary>Second derivatives of a struct parameter: a struct direction (S vP), struct gradient and product (out S dP, out S hP), and the Hessian's rows per field.</summary>
    [Fact]
    public void StructParameter_Hessian() => SnapshotTests.VerifyGenerated("""
        public struct Vec2
        {
            public double X, Y;
        }

        public static partial class Model
        {
            [Differentiable(Hessian = true)]
            public static double Well(Vec2 p, double k) => k * Math.Exp(-(p.X * p.X + p.Y * p.Y)) + p.X * p.Y;
        }
        """, nameof(StructParameter_Hessian));

    [Fact]
    public void StructValues_VectorMembersAndAModelClassStructMember() => SnapshotTests.VerifyGenerated("""
        public partial class Arm
        {
            public Vector2 Base = new(0f, 1f);

            [Differentiable]
            public float Reach(float angle, float length)
            {
                var tip = Base + length * new Vector2(MathF.Cos(angle), MathF.Sin(angle));
                return Vector2.Distance(tip, new Vector2(1f, 1f));
            }
        }
        """, nameof(StructValues_VectorMembersAndAModelClassStructMember), "using System;\nusing System.Numerics;\nusing Backprop;\n");

    [Fact]
    public void ArrayOfStructs_FlatViewAndSpanOfStructGradient() => SnapshotTests.VerifyGenerated("""
        public struct Vec2
        {
            public double X, Y;
        }

        public static partial class Model
        {
            [Differentiable]
            public static double Spread(Vec2[] points, double k)
            {
                double s = 0;
                for (int i = 0; i < points.Length; i++) s += k * points[i].X * points[i].Y;
                return s;
            }
        }
        """, nameof(ArrayOfStructs_FlatViewAndSpanOfStructGradient));

    /// <summary>A layer writing a span of structs: stores through the output's flat view, its adjoint a Span&lt;S&gt; consumed through its own.</summary>
    [Fact]
    public void StructOutputs_OfALayer_WrittenThroughTheFlatView() => SnapshotTests.VerifyGenerated("""
        public struct Vec2
        {
            public double X, Y;
            public Vec2(double x, double y) { X = x; Y = y; }
        }

        public static partial class Model
        {
            [Differentiable]
            public static void Rotate(ReadOnlySpan<Vec2> xs, double angle, Span<Vec2> ys)
            {
                double c = Math.Cos(angle), s = Math.Sin(angle);
                for (int i = 0; i < xs.Length; i++)
                {
                    ys[i] = new Vec2(c * xs[i].X - s * xs[i].Y, 0);
                    ys[i].Y = s * xs[i].X + c * xs[i].Y;
                }
            }
        }
        """, nameof(StructOutputs_OfALayer_WrittenThroughTheFlatView));
}
