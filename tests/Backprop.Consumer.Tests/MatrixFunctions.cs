using System;
using Backprop;

namespace Backprop.Consumer.Tests;

/// <summary>Two-dimensional arrays (<c>double[,]</c>, <c>float[,]</c>) as differentiated parameters and model members.</summary>
public static partial class MatrixFunctions
{
    /// <summary>The quadratic form x^T A x, over a matrix parameter and an array.</summary>
    [Differentiable]
    public static double QuadraticForm(double[,] a, double[] x)
    {
        double s = 0;
        for (int i = 0; i < a.GetLength(0); i++)
            for (int j = 0; j < a.GetLength(1); j++)
                s += x[i] * a[i, j] * x[j];
        return s;
    }

    /// <summary>A tanh layer and a squared error: a weight matrix read with computed indices, its dimensions in locals.</summary>
    [Differentiable]
    public static double Layer(double[,] w, double[] b, [NoDerivative] double[] x, [NoDerivative] double[] target)
    {
        int rows = w.GetLength(0), columns = w.GetLength(1);
        double loss = 0;
        for (int r = 0; r < rows; r++)
        {
            double h = b[r];
            for (int c = 0; c < columns; c++) h += w[r, c] * x[c];
            double e = Math.Tanh(h) - target[r];
            loss += e * e;
        }
        return loss / w.Length;
    }

    /// <summary>A float matrix: the log of a sum of exponentials of its entries, with its last row weighted.</summary>
    [Differentiable]
    public static float LogSumExp(float[,] m)
    {
        float s = 0;
        int last = m.GetLength(0) - 1;
        for (int i = 0; i <= last; i++)
            for (int j = 0; j < m.GetLength(1); j++)
                s += MathF.Exp(i == last ? 2 * m[i, j] : m[i, j]);
        return MathF.Log(s);
    }

    /// <summary>Two matrices and data in a matrix: a bilinear form u^T A B v read with [NoDerivative] data of rank 2.</summary>
    [Differentiable]
    public static double Bilinear(double[,] a, double[,] b, [NoDerivative] double[,] scale)
    {
        double s = 0;
        for (int i = 0; i < a.GetLength(0); i++)
            for (int k = 0; k < a.GetLength(1); k++)
                for (int j = 0; j < b.GetLength(1); j++)
                    s += scale[i, j] * a[i, k] * b[k, j] * a[i, k];
        return s;
    }
}

/// <summary>A matrix passed to helpers: inlined, their parameter the caller's matrix.</summary>
public static partial class MatrixFunctions
{
    private static double RowDot(double[,] m, int row, double[] x)
    {
        double s = 0;
        for (int j = 0; j < m.GetLength(1); j++) s += m[row, j] * x[j];
        return s;
    }

    private static double Trace(double[,] m) => m[0, 0] + Diagonal(m, 1);

    private static double Diagonal(double[,] m, int k) => m[k, k];

    [Differentiable]
    public static double PassedToHelpers(double[,] w, double[] x)
    {
        double loss = Trace(w) * x[0];
        for (int r = 0; r < w.GetLength(0); r++) loss += Math.Tanh(RowDot(w, r, x));
        return loss;
    }
}

/// <summary>Data of rank two and jagged data, and a foreach over a matrix.</summary>
public static partial class MatrixFunctions
{
    /// <summary>The sum of squares of a matrix's entries, visited by foreach (row by row).</summary>
    [Differentiable]
    public static double SumOfSquares(double[,] m)
    {
        double s = 0;
        foreach (double v in m) s += v * v * v;
        return s;
    }

    /// <summary>Rows of a jagged array as data: a squared weighted sum.</summary>
    [Differentiable]
    public static double JaggedData(double[] w, [NoDerivative] double[][] rows)
    {
        double s = 0;
        for (int i = 0; i < rows.Length; i++)
            for (int j = 0; j < rows[i].Length; j++)
                s += w[j] * rows[i][j];
        return s * s;
    }
}

/// <summary>A layer whose weight is a matrix: a sub-module of <see cref="MatrixNet"/>.</summary>
public partial class MatrixLayer
{
    public double[,] W;

    public MatrixLayer(int outputs, int inputs, Random random)
    {
        W = new double[outputs, inputs];
        for (int o = 0; o < outputs; o++)
            for (int i = 0; i < inputs; i++) W[o, i] = random.NextDouble() - 0.5;
    }

    [Differentiable]
    public void Forward(ReadOnlySpan<double> x, Span<double> y)
    {
        for (int o = 0; o < W.GetLength(0); o++)
        {
            double s = 0;
            for (int i = 0; i < W.GetLength(1); i++) s += W[o, i] * x[i];
            y[o] = Math.Tanh(s);
        }
    }
}

/// <summary>Two matrix layers composed: the matrices' gradients reach dThis.L1.W and dThis.L2.W.</summary>
public partial class MatrixNet
{
    public MatrixLayer L1, L2;

    public MatrixNet(Random random)
    {
        L1 = new MatrixLayer(3, 2, random);
        L2 = new MatrixLayer(1, 3, random);
    }

    [Differentiable]
    public double Loss([NoDerivative] double[] x, [NoDerivative] double target)
    {
        Span<double> h = stackalloc double[3];
        Span<double> y = stackalloc double[1];
        L1.Forward(x, h);
        L2.Forward(h, y);
        return (y[0] - target) * (y[0] - target);
    }
}

/// <summary>A model class whose weight is a <c>double[,]</c>, as C# users write a matrix.</summary>
public partial class MatrixRegressor
{
    public double[,] Weight;
    public double[] Bias;

    public MatrixRegressor(int outputs, int inputs, Random random)
    {
        Weight = new double[outputs, inputs];
        Bias = new double[outputs];
        for (int o = 0; o < outputs; o++)
        {
            Bias[o] = random.NextDouble() - 0.5;
            for (int i = 0; i < inputs; i++) Weight[o, i] = random.NextDouble() - 0.5;
        }
    }

    private static double Dot(double[,] w, int row, double[] x)
    {
        double s = 0;
        for (int i = 0; i < w.GetLength(1); i++) s += w[row, i] * x[i];
        return s;
    }

    [Differentiable]
    public double Loss([NoDerivative] double[] x, [NoDerivative] double[] y)
    {
        double loss = 0;
        for (int o = 0; o < Weight.GetLength(0); o++)
        {
            double h = Bias[o] + Dot(Weight, o, x);
            double e = Math.Tanh(h) - y[o];
            loss += e * e;
        }
        return loss;
    }
}

/// <summary>A model whose matrix is read by an unmarked helper method of its own and by a float field's scale.</summary>
public partial class MatrixHelperModel
{
    public double[,] Weight = { { 0.5, -0.25, 0.75 }, { -1.0, 0.3, 0.2 } };
    public double Scale = 1.5;

    private double Row(int o, double[] x)
    {
        double s = 0;
        for (int i = Weight.GetLowerBound(1); i <= Weight.GetUpperBound(1); i++) s += Weight[o, i] * x[i];
        return Math.Tanh(Scale * s);
    }

    [Differentiable]
    public double Loss([NoDerivative] double[] x)
    {
        double loss = 0;
        for (int o = 0; o < Weight.GetLength(0); o++) loss += Row(o, x) * Row(o, x);
        return loss * Weight.Length / (Weight.Rank * 3.0);
    }
}

/// <summary>Nullable matrix and array members (<c>double[,]?</c>): the generated code reads them as the user's code does.</summary>
public partial class NullableMatrixModel
{
    public double[,]? Weight = { { 0.5, -1.0 }, { 0.25, 2.0 } };
    public double[]? Bias = { 0.1, -0.2 };

    [Differentiable]
    public double Loss([NoDerivative] double[] x)
    {
        double loss = 0;
        for (int o = 0; o < 2; o++)
        {
            double h = Bias![o];
            for (int i = 0; i < 2; i++) h += Weight![o, i] * x[i];
            loss += Math.Tanh(h);
        }
        return loss;
    }
}
