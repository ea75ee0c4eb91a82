using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Backprop.Generator.Tests;

/// <summary>One snapshot of the emitted source per feature.</summary>
public sealed class SnapshotTests
{
    internal static void VerifyGenerated(string body, string name, string usings = "using System;\nusing Backprop;\n")
    {
        string source = usings + "\nnamespace Demo;\n\n" + body;
        var outcome = GeneratorHarness.Run(source);
        Assert.Empty(outcome.GeneratorDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
        Assert.Empty(outcome.CompilationDiagnostics);
        Snapshot.Verify(string.Join("\n", outcome.Sources.OrderBy(s => s.HintName).Select(s => "// " + s.HintName + "\n" + s.Text)), nameof(SnapshotTests), name);
    }

    [Fact]
    public void StraightLine() => VerifyGenerated("""
        public static partial class Model
        {
            [Differentiable]
            public static double Rosenbrock(double x, double y)
            {
                double a = 1 - x;
                double b = y - x * x;
                return a * a + 100 * b * b;
            }
        }
        """, nameof(StraightLine));

    [Fact]
    public void TwoDimensionalArrays_ParameterAndModelMember() => VerifyGenerated("""
        public static partial class Model
        {
            [Differentiable]
            public static double QuadraticForm(double[,] a, double[] x)
            {
                double s = 0;
                for (int i = 0; i < a.GetLength(0); i++)
                    for (int j = 0; j < a.GetLength(1); j++)
                        s += x[i] * a[i, j] * x[j];
                return s;
            }
        }

        public partial class Regressor
        {
            public double[,] Weight = new double[2, 3];

            [Differentiable]
            public double Loss([NoDerivative] double[] x, [NoDerivative] double[] y)
            {
                double loss = 0;
                for (int o = 0; o < Weight.GetLength(0); o++)
                {
                    double h = 0;
                    for (int i = 0; i < Weight.GetLength(1); i++) h += Weight[o, i] * x[i];
                    loss += (h - y[o]) * (h - y[o]);
                }
                return loss;
            }
        }
        """, nameof(TwoDimensionalArrays_ParameterAndModelMember));

    [Fact]
    public void JaggedArrayMember_RowsReadDirectlyThroughALocalAndAHelper() => VerifyGenerated("""
        public partial class Network
        {
            public double[][] W = { new double[3], new double[3] };

            private static double Dot(ReadOnlySpan<double> w, ReadOnlySpan<double> x)
            {
                double s = 0;
                for (int i = 0; i < w.Length; i++) s += w[i] * x[i];
                return s;
            }

            [Differentiable]
            public double Loss([NoDerivative] double[] x)
            {
                double loss = 0;
                for (int o = 0; o < W.Length; o++)
                {
                    var row = W[o];
                    loss += Math.Tanh(Dot(row, x)) + W[o][0] * W[o][^1];
                }
                return loss;
            }
        }
        """, nameof(JaggedArrayMember_RowsReadDirectlyThroughALocalAndAHelper));

    [Fact]
    public void VectorizedReverseLoops_DotAxpyAndRows() => VerifyGenerated("""
        public static partial class Model
        {
            [Differentiable]
            public static double Dot(ReadOnlySpan<double> w, ReadOnlySpan<double> x)
            {
                double s = 0;
                for (int i = 0; i < w.Length; i++)
                    s += w[i] * x[i];
                return s * s;
            }

            [Differentiable]
            public static float Axpy(float a, ReadOnlySpan<float> x, ReadOnlySpan<float> y)
            {
                Span<float> z = stackalloc float[x.Length];
                for (int i = 0; i < x.Length; i++)
                    z[i] = a * x[i] + y[i];
                float s = 0;
                for (int i = 0; i < z.Length; i++)
                    s += z[i] * z[i];
                return s;
            }

            [Differentiable]
            public static double Rows(ReadOnlySpan<double> w, ReadOnlySpan<double> x, int n)
            {
                double total = 0;
                for (int j = 0; j < 3; j++)
                {
                    double a = 0;
                    for (int i = 0; i < n; i++)
                        a += w[j * n + i] * x[i];
                    total += Math.Tanh(a);
                }
                return total;
            }
        }
        """, nameof(VectorizedReverseLoops_DotAxpyAndRows));

    [Fact]
    public void Reassignment_CompoundAssignment_IncrementAndCasts() => VerifyGenerated("""
        public static partial class Model
        {
            private const double Scale = 2.5;

            [Differentiable]
            public static double Mixed(double x, float f, int n)
            {
                double z = x * Scale;
                z += f;
                z *= z;
                z -= Math.PI * n;
                z /= 1 + x * x;
                z++;
                float g = (float)z * f;
                return -g + Math.E;
            }
        }
        """, nameof(Reassignment_CompoundAssignment_IncrementAndCasts));

    [Fact]
    public void Branches_NestedIfElse_Conditional_ShortCircuit() => VerifyGenerated("""
        public static partial class Model
        {
            [Differentiable]
            public static double Piecewise(double x, double y)
            {
                double z = x;
                if (x > 0 && y > 0)
                {
                    if (x > y) z = x * y;
                    else z = Math.Sin(y);
                }
                else if (x < -1 || y < -1)
                {
                    z = x - y;
                }
                return z > 1 ? z * z : z + y;
            }
        }
        """, nameof(Branches_NestedIfElse_Conditional_ShortCircuit));

    [Fact]
    public void EarlyReturn() => VerifyGenerated("""
        public static partial class Model
        {
            [Differentiable]
            public static double Huber(double r, double delta)
            {
                double a = Math.Abs(r);
                if (a <= delta)
                    return 0.5 * r * r;
                return delta * (a - 0.5 * delta);
            }
        }
        """, nameof(EarlyReturn));

    [Fact]
    public void SwitchStatementAndExpression_Patterns() => VerifyGenerated("""
        public static partial class Model
        {
            [Differentiable]
            public static double Activate(double z, [NoDerivative] int kind)
            {
                double y;
                switch (kind)
                {
                    case 0:
                        y = Math.Tanh(z);
                        break;
                    case 1 or 2:
                        y = Math.Max(z, 0.0);
                        break;
                    default:
                        y = z;
                        break;
                }
                return y * (z switch { < -1 => -1.0, > 1 and < 2 => z, _ => 0.5 });
            }
        }
        """, nameof(SwitchStatementAndExpression_Patterns));

    [Fact]
    public void SlicesAndRanges_AsCalleeInputs() => VerifyGenerated("""
        public static partial class Model
        {
            [Differentiable]
            public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
            {
                double s = 0;
                for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
                return s;
            }

            /// <summary>theta = [w (3) | v (3)], sliced for the calls.</summary>
            [Differentiable]
            public static double Packed(double[] theta, ReadOnlySpan<double> x) =>
                Math.Tanh(Dot(theta.AsSpan(0, 3), x)) * Dot(theta[3..], x[^3..]);
        }
        """, nameof(SlicesAndRanges_AsCalleeInputs));

    [Fact]
    public void CountedLoops_WithBoundsTheOuterLoopAssigns() => VerifyGenerated("""
        public static partial class Model
        {
            [Differentiable]
            public static double Triangular(ReadOnlySpan<double> w, double x)
            {
                double s = 0;
                for (int j = 0; j < w.Length; j++)
                {
                    int m = j + 1;
                    for (int i = 0; i < m; i++) s = s * 0.9 + Math.Sin(w[i] * x + s);
                }
                return s;
            }
        }
        """, nameof(CountedLoops_WithBoundsTheOuterLoopAssigns));

    [Fact]
    public void MathFunctions() => VerifyGenerated("""
        public static partial class Model
        {
            [Differentiable]
            public static double Functions(double x, double y)
            {
                double a = Math.Sin(x) * Math.Cos(y) + Math.Tanh(x * y);
                double b = Math.Exp(-x * x) + Math.Log(1 + y * y) + Math.Sqrt(1 + x * x);
                double c = Math.Pow(Math.Abs(x) + 1, y) + Math.Atan2(y, x) + Math.Max(x, y);
                return a * b + c;
            }
        }
        """, nameof(MathFunctions));

    [Fact]
    public void FloatMethod_UsesMathF() => VerifyGenerated("""
        public static partial class Model
        {
            [Differentiable]
            public static float Softplus(float x, float beta)
            {
                return MathF.Log(1 + MathF.Exp(beta * x)) / beta;
            }
        }
        """, nameof(FloatMethod_UsesMathF));

    [Fact]
    public void CallsAnotherDifferentiableMethod() => VerifyGenerated("""
        public static partial class Activations
        {
            [Differentiable]
            public static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));
        }

        public static partial class Model
        {
            [Differentiable]
            public static double Neuron(double w, double b, [NoDerivative] double x)
            {
                double s = Activations.Sigmoid(w * x + b);
                return s * s;
            }
        }
        """, nameof(CallsAnotherDifferentiableMethod));

    [Fact]
    public void Loops_ForWhileDo_BreakContinue() => VerifyGenerated("""
        public static partial class Model
        {
            [Differentiable]
            public static double Iterate(double x, int n)
            {
                double h = x;
                for (int t = 0; t < n; t++)
                {
                    if (t == 3) continue;
                    h = Math.Tanh(h * 0.9 + x);
                    if (h > 10) break;
                }
                double s = 0;
                int k = 0;
                while (k < n) { s += h * k; k++; }
                do { s *= 0.5; } while (s > 100);
                return s + h;
            }
        }
        """, nameof(Loops_ForWhileDo_BreakContinue));

    [Fact]
    public void SpanParameters_DesignExample() => VerifyGenerated("""
        public static partial class Model
        {
            [Differentiable]
            public static double Loss(ReadOnlySpan<double> w, [NoDerivative] ReadOnlySpan<double> x, double b, [NoDerivative] double y)
            {
                double z = b;
                for (int i = 0; i < w.Length; i++)
                    z += w[i] * x[i];
                double a = Math.Tanh(z);
                return 0.5 * (a - y) * (a - y);
            }
        }
        """, nameof(SpanParameters_DesignExample));

    [Fact]
    public void InstanceMethod_GradientName_FieldRead() => VerifyGenerated("""
        public partial class Oscillator
        {
            private double _omega = 3;

            [Differentiable(GradientName = "Sensitivities")]
            internal double Energy(double position, double velocity) => 0.5 * velocity * velocity + 0.5 * _omega * _omega * position * position;
        }
        """, nameof(InstanceMethod_GradientName_FieldRead));

    [Fact]
    public void ModelClass_SubModules_MembersAndAddParameters() => VerifyGenerated("""
        public partial class Linear
        {
            public double[] Weight = new double[4], Bias = new double[2];

            [Differentiable]
            public void Forward(ReadOnlySpan<double> x, Span<double> y)
            {
                for (int o = 0; o < 2; o++) y[o] = Bias[o] + Weight[2 * o] * x[0] + Weight[2 * o + 1] * x[1];
            }
        }

        public partial class Net
        {
            public Linear Fc1 = new();
            public double Gain = 1;

            [Differentiable]
            public double Loss([NoDerivative] ReadOnlySpan<double> x)
            {
                Span<double> h = stackalloc double[2];
                Fc1.Forward(x, h);
                return Gain * Math.Tanh(h[0]) + h[1];
            }
        }
        """, nameof(ModelClass_SubModules_MembersAndAddParameters));

    /// <summary>
    /// Issue 11: an array of sub-modules called by index in a loop, a list of them through foreach: each call takes
    /// <c>dThis.Layers[i]</c>, <c>dThis</c> is checked element by element, and the registration names elements by index.
    /// </summary>
    [Fact]
    public void ModelClass_ArrayAndListOfSubModules() => VerifyGenerated("""
        public partial class Linear
        {
            public double[] Weight = new double[4], Bias = new double[2];

            [Differentiable]
            public void Forward(ReadOnlySpan<double> x, Span<double> y)
            {
                for (int o = 0; o < 2; o++) y[o] = Bias[o] + Weight[2 * o] * x[0] + Weight[2 * o + 1] * x[1];
            }

            [Differentiable]
            public double Score(ReadOnlySpan<double> x) => Weight[0] * x[0] + Bias[0];
        }

        public partial class Stack
        {
            public Linear[] Layers = { new(), new() };
            public List<Linear> Heads = new() { new() };

            [Differentiable]
            public double Loss([NoDerivative] ReadOnlySpan<double> x)
            {
                Span<double> a = stackalloc double[2];
                Span<double> b = stackalloc double[2];
                x.CopyTo(a);
                for (int i = 0; i < Layers.Length; i++)
                {
                    Layers[i].Forward(a, b);
                    for (int k = 0; k < 2; k++) a[k] = Math.Tanh(b[k]);
                }
                double sum = 0;
                foreach (var head in Heads) sum += head.Score(a);
                return sum;
            }
        }
        """, nameof(ModelClass_ArrayAndListOfSubModules), "using System;\nusing System.Collections.Generic;\nusing Backprop;\n");

    /// <summary>
    /// Issue 11: a frozen ([NoDerivative]) sub-module. Its call runs the frozen variant (<c>ForwardFrozenForward</c>,
    /// <c>ForwardFrozenReverse</c>), which reads the encoder's members as data and passes the adjoint through to the input;
    /// the caller's <c>dThis.Encoder</c> is neither checked nor written, and <c>AddParameters</c> registers the head only.
    /// </summary>
    [Fact]
    public void ModelClass_FrozenSubModule() => VerifyGenerated("""
        public partial class Linear
        {
            public double[] Weight = new double[4], Bias = new double[2];

            [Differentiable]
            public void Forward(ReadOnlySpan<double> x, Span<double> y)
            {
                for (int o = 0; o < 2; o++) y[o] = Bias[o] + Weight[2 * o] * x[0] + Weight[2 * o + 1] * x[1];
            }
        }

        public partial class FineTuned
        {
            [NoDerivative] public Linear Encoder = new();
            public Linear Head = new();

            [Differentiable]
            public double Loss(ReadOnlySpan<double> x)
            {
                Span<double> h = stackalloc double[2];
                Span<double> y = stackalloc double[2];
                Encoder.Forward(x, h);
                for (int k = 0; k < 2; k++) h[k] = Math.Tanh(h[k]);
                Head.Forward(h, y);
                return y[0] * y[1];
            }
        }
        """, nameof(ModelClass_FrozenSubModule));

    [Fact]
    public void CustomRule_UnmarkedHelper_StopGradient_AndDataAsWritten() => VerifyGenerated("""
        public static class Special
        {
            public static double Erf(double x) => Math.Tanh(1.2 * x);
        }

        public static class Rules
        {
            [DerivativeOf(typeof(Special), nameof(Special.Erf))]
            public static void ErfReverse(double x, double result, double dResult, ref double dX) => dX += dResult * 2 / Math.Sqrt(Math.PI) * Math.Exp(-x * x);
        }

        public static partial class Model
        {
            static double NormCdf(double x) => 0.5 * (1 + Special.Erf(x / Math.Sqrt(2)));

            [Differentiable]
            public static double Price(double s, double k, [NoDerivative] System.Collections.Generic.List<double> weights) =>
                s * NormCdf(s - k) * weights.Count + Ad.StopGradient(s * k);
        }
        """, nameof(CustomRule_UnmarkedHelper_StopGradient_AndDataAsWritten));

    /// <summary>
    /// Issue 16: a side effect (guarded, so that a restarted forward sweep does not repeat it), a list local, a string and
    /// an enumerator kept as written in the forward sweep, an index read from the list evaluated once into an int.
    /// </summary>
    [Fact]
    public void SideEffects_LocalsOfOtherTypes_AndForEachOverAList() => VerifyGenerated("""
        public static partial class Model
        {
            [Differentiable]
            public static double Loss(double[] w, [NoDerivative] List<double> xs, [NoDerivative] List<double> log)
            {
                var picked = new List<int>();
                double sum = 0;
                foreach (double x in xs)
                {
                    picked.Add(picked.Count % w.Length);
                    sum += Math.Tanh(w[picked[^1]] * x);
                }
                string label = "sum of " + picked.Count;
                log.Add(sum);
                Console.WriteLine(label);
                return sum * sum;
            }
        }
        """, nameof(SideEffects_LocalsOfOtherTypes_AndForEachOverAList), "using System;\nusing System.Collections.Generic;\nusing Backprop;\n");

    [Fact]
    public void ForwardMode_Tangent() => VerifyGenerated("""
        public static partial class Model
        {
            [Differentiable(Forward = true)]
            public static double Energy(double x, ReadOnlySpan<double> w)
            {
                double s = 0;
                for (int i = 0; i < w.Length; i++)
                    s += Math.Exp(w[i] * x);
                return x > 0 ? Math.Log(s) : s * x;
            }
        }
        """, nameof(ForwardMode_Tangent));

    [Fact]
    public void ForwardMode_ThroughUnmarkedHelpers() => VerifyGenerated("""
        public static partial class Model
        {
            static double Softplus(double x) => Math.Log(1 + Math.Exp(x));

            static double Score(ReadOnlySpan<double> w, double b)
            {
                double s = b;
                for (int i = 0; i < w.Length; i++) s += Softplus(w[i]) * w[i];
                return s;
            }

            [Differentiable(Forward = true)]
            public static double Energy(double x, ReadOnlySpan<double> w) => x > 0 ? Score(w, x) : Softplus(x) * w[0];
        }
        """, nameof(ForwardMode_ThroughUnmarkedHelpers));

    [Fact]
    public void Jacobian_OfALayer() => VerifyGenerated("""
        public static partial class Model
        {
            [Differentiable(Jacobian = true)]
            public static void Project(ReadOnlySpan<double> camera, double focal, [NoDerivative] ReadOnlySpan<double> point, Span<double> residual)
            {
                residual[0] = focal * (point[0] + camera[0]) / (2 + camera[1] * camera[1]);
                residual[1] = focal * point[1] - camera[0];
            }
        }
        """, nameof(Jacobian_OfALayer));

    /// <summary>A layer without loops or overwrites: its Jacobian runs the forward sweep once and replays the reverse sweep per row, in locals.</summary>
    [Fact]
    public void Jacobian_OfALoopFreeLayer_ReplaysItsReverseSweep() => VerifyGenerated("""
        public static partial class Model
        {
            [Differentiable(Jacobian = true)]
            public static void Polar(double r, double theta, ReadOnlySpan<double> offset, Span<double> xy)
            {
                double c = Math.Cos(theta), s = Math.Sin(theta);
                xy[0] = r * c + offset[0];
                xy[1] = r * s + offset[1];
            }
        }
        """, nameof(Jacobian_OfALoopFreeLayer_ReplaysItsReverseSweep));

    [Fact]
    public void HessianMode_VectorProductAndDenseHessian() => VerifyGenerated("""
        public static partial class Model
        {
            [Differentiable(Hessian = true)]
            public static double Energy(ReadOnlySpan<double> q, double k)
            {
                double e = 0;
                for (int i = 1; i < q.Length; i++) e += k * (q[i] - q[i - 1]) * (q[i] - q[i - 1]);
                return e + Math.Cos(q[0]);
            }
        }
        """, nameof(HessianMode_VectorProductAndDenseHessian));

    /// <summary>Second derivatives through calls: the helper's body is inlined into the directional method, once per call.</summary>
    [Fact]
    public void HessianMode_ThroughACallOfAHelper() => VerifyGenerated("""
        public static partial class Model
        {
            private static double Spring(double a, double b, double k)
            {
                double d = b - a;
                if (d < 0) return k * d * d;
                return k * d * d * (1 + d);
            }

            [Differentiable(Hessian = true)]
            public static double Energy(ReadOnlySpan<double> q, double k)
            {
                double e = 0;
                for (int i = 1; i < q.Length; i++) e += Spring(q[i - 1], q[i], k);
                return e + Math.Cos(q[0]);
            }
        }
        """, nameof(HessianMode_ThroughACallOfAHelper));
}
