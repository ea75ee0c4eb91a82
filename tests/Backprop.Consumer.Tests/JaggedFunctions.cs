using System;

namespace Backprop.Consumer.Tests;

/// <summary>
/// A two-layer network whose weights are jagged arrays, one row per output unit, as C# users write them: rows read
/// directly (<c>W2[o][h]</c>), through a local (<c>var row = W1[h];</c>), passed to an unmarked helper and to a
/// <c>[Differentiable]</c> one, and looped over with <c>foreach</c>.
/// </summary>
public partial class JaggedMlp
{
    public double[][] W1;
    public double[] B1;
    public double[][] W2;

    public JaggedMlp(int inputs, int hidden, int outputs, Random random)
    {
        W1 = Rows(hidden, inputs, random);
        B1 = new double[hidden];
        for (int h = 0; h < hidden; h++) B1[h] = random.NextDouble() - 0.5;
        W2 = Rows(outputs, hidden, random);
    }

    public static double[][] Rows(int rows, int columns, Random random)
    {
        var m = new double[rows][];
        for (int r = 0; r < rows; r++)
        {
            m[r] = new double[columns];
            for (int c = 0; c < columns; c++) m[r][c] = random.NextDouble() - 0.5;
        }
        return m;
    }

    private static double Dot(ReadOnlySpan<double> w, ReadOnlySpan<double> x)
    {
        double s = 0;
        for (int i = 0; i < w.Length; i++) s += w[i] * x[i];
        return s;
    }

    [Differentiable]
    public static double Squares(ReadOnlySpan<double> w)
    {
        double s = 0;
        foreach (double v in w) s += v * v;
        return s;
    }

    [Differentiable]
    public double Loss([NoDerivative] double[] x, [NoDerivative] int label)
    {
        Span<double> h = stackalloc double[W1.Length];
        for (int j = 0; j < W1.Length; j++)
        {
            var row = W1[j];
            h[j] = Math.Tanh(B1[j] + Dot(row, x));
        }
        double max = double.NegativeInfinity, sum = 0, picked = 0;
        Span<double> logits = stackalloc double[W2.Length];
        for (int o = 0; o < W2.Length; o++)
        {
            double z = 0.5 * Dot(W2[o].AsSpan(), h);
            for (int j = 0; j < W2[o].Length; j++) z += 0.5 * W2[o][j] * h[j];
            logits[o] = z;
            if (z > max) max = z;
        }
        for (int o = 0; o < logits.Length; o++) sum += Math.Exp(logits[o] - max);
        picked = logits[label];
        // Weight decay over every row of both layers.
        double decay = 0;
        foreach (var row in W1) decay += Squares(row);
        foreach (double[] row in W2)
            foreach (double v in row) decay += v * v;
        return max + Math.Log(sum) - picked + 1e-2 * decay;
    }
}

/// <summary>Rows of different lengths, counted from the end (<c>^1</c>), in float.</summary>
public partial class RaggedModel
{
    public float[][] Coefficients = { new[] { 0.5f, -0.25f }, new[] { 1.5f }, new[] { -0.75f, 0.2f, 0.4f } };

    [Differentiable]
    public float Evaluate([NoDerivative] float t)
    {
        float total = 0;
        for (int k = 0; k < Coefficients.Length; k++)
        {
            // Horner's rule over the row, highest power last.
            float p = Coefficients[k][^1];
            for (int i = Coefficients[k].Length - 2; i >= 0; i--) p = p * t + Coefficients[k][i];
            total += MathF.Sin(p) * (k + 1);
        }
        return total + Coefficients[^1][0] * Coefficients[0][^1];
    }
}

/// <summary>A layer with a jagged weight, used as a sub-module twice: gradients reach <c>dThis.A.W</c> and <c>dThis.B.W</c>.</summary>
public partial class JaggedLayer
{
    public double[][]? W;

    [Differentiable]
    public void Forward(ReadOnlySpan<double> x, Span<double> y)
    {
        for (int o = 0; o < y.Length; o++)
        {
            double s = 0;
            for (int i = 0; i < x.Length; i++) s += W![o][i] * x[i];
            y[o] = Math.Tanh(s);
        }
    }
}

public partial class JaggedStack
{
    public JaggedLayer A = new(), B = new();

    [Differentiable]
    public double Loss([NoDerivative] double[] x)
    {
        Span<double> h = stackalloc double[3];
        Span<double> y = stackalloc double[1];
        A.Forward(x, h);
        B.Forward(h, y);
        return y[0] * y[0];
    }
}

/// <summary>Jagged data beside a jagged weight: a static table and a <c>[NoDerivative]</c> member, read as written.</summary>
public partial class JaggedDataModel
{
    private static readonly double[][] Table = { new[] { 0.5, 1.5 }, new[] { -2.0 } };

    [NoDerivative] public double[][] Inputs = { new[] { 0.3, -0.2 }, new[] { 0.7 } };

    public double[][] W = { new[] { 0.4, 0.1 }, new[] { -0.6 } };

    [Differentiable]
    public double Loss([NoDerivative] double scale)
    {
        double s = 0;
        for (int r = 0; r < Inputs.Length; r++)
            for (int c = 0; c < Inputs[r].Length; c++) s += Math.Sin(W[r][c] * Inputs[r][c] + Table[r][c]);
        return s * Table.Length * scale;
    }
}

/// <summary>An array of layers with jagged weights: checks and registration per element (<c>Layers.1.W.0</c>).</summary>
public partial class JaggedLayerArray
{
    public JaggedLayer[] Layers = { new(), new() };

    [Differentiable]
    public double Loss([NoDerivative] double[] x)
    {
        Span<double> h = stackalloc double[3];
        Span<double> y = stackalloc double[1];
        Layers[0].Forward(x, h);
        Layers[1].Forward(h, y);
        return y[0] * y[0];
    }
}

/// <summary>A frozen layer with a jagged weight before a trained one: its rows are read as data.</summary>
public partial class FrozenJaggedStack
{
    [NoDerivative] public JaggedLayer A = new();
    public JaggedLayer B = new();

    [Differentiable]
    public double Loss(double[] x)
    {
        Span<double> h = stackalloc double[3];
        Span<double> y = stackalloc double[1];
        A.Forward(x, h);
        B.Forward(h, y);
        return y[0] * y[0];
    }
}
