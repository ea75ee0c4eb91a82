using System;
using System.Linq;
using Backprop.Training;
using Xunit;

namespace Backprop.Consumer.Tests;

/// <summary>
/// Two-dimensional arrays (<see cref="MatrixFunctions"/>, <see cref="MatrixRegressor"/>): gradients of the same
/// dimensions, incremented, against central differences; their checks; registration of a matrix member.
/// </summary>
public sealed class MatrixTests
{
    private static readonly Random Points = new(7);

    private static double[,] Matrix(int rows, int columns) => Fill(new double[rows, columns]);

    private static double[,] Fill(double[,] m)
    {
        for (int i = 0; i < m.GetLength(0); i++)
            for (int j = 0; j < m.GetLength(1); j++)
                m[i, j] = Points.NextDouble() * 2 - 1;
        return m;
    }

    private static double[] Vector(int n) => Enumerable.Range(0, n).Select(_ => Points.NextDouble() * 2 - 1).ToArray();

    private static double[] Flat(double[,] m) => m.Cast<double>().ToArray();

    private static double[,] Shaped(double[] flat, int rows, int columns)
    {
        var m = new double[rows, columns];
        Buffer.BlockCopy(flat, 0, m, 0, flat.Length * sizeof(double));
        return m;
    }

    [Fact]
    public void QuadraticForm_MatrixAndArrayGradients_MatchCentralDifferences()
    {
        for (int trial = 0; trial < 5; trial++)
        {
            var a = Matrix(3, 3);
            var x = Vector(3);
            var dA = new double[3, 3];
            var dX = new double[3];
            double value = MatrixFunctions.QuadraticFormGradient(a, x, dA, dX);
            Assert.Equal(MatrixFunctions.QuadraticForm(a, x), value);
            var point = Flat(a).Concat(x).ToArray();
            var result = GradientCheck.Check(p => MatrixFunctions.QuadraticForm(Shaped(p[..9], 3, 3), p[9..]), point, Flat(dA).Concat(dX).ToArray());
            Assert.True(result.Passed, result.ToString());
        }
    }

    [Fact]
    public void Layer_RectangularWeight_MatchesCentralDifferences_AndIncrementsItsGradient()
    {
        var w = Matrix(2, 4);
        var b = Vector(2);
        var x = Vector(4);
        var target = Vector(2);
        var dW = new double[2, 4];
        var dB = new double[2];
        MatrixFunctions.LayerGradient(w, b, x, target, dW, dB);
        var once = Flat(dW);
        var result = GradientCheck.Check(p => MatrixFunctions.Layer(Shaped(p[..8], 2, 4), p[8..], x, target), Flat(w).Concat(b).ToArray(), once.Concat(dB).ToArray());
        Assert.True(result.Passed, result.ToString());

        MatrixFunctions.LayerGradient(w, b, x, target, dW, dB);
        Assert.Equal(once.Select(g => 2 * g), Flat(dW));
    }

    [Fact]
    public void FloatMatrix_AndTwoMatricesWithMatrixData_MatchCentralDifferences()
    {
        var m = new float[2, 3];
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++)
                m[i, j] = (float)(Points.NextDouble() - 0.5);
        var dM = new float[2, 3];
        MatrixFunctions.LogSumExpGradient(m, dM);
        float[,] Back(float[] p) { var r = new float[2, 3]; for (int k = 0; k < 6; k++) r[k / 3, k % 3] = p[k]; return r; }
        var check = GradientCheck.Check(p => MatrixFunctions.LogSumExp(Back(p)), m.Cast<float>().ToArray(), dM.Cast<float>().ToArray());
        Assert.True(check.Passed, check.ToString());

        var a = Matrix(2, 3);
        var b = Matrix(3, 4);
        var scale = Matrix(2, 4);
        var dA = new double[2, 3];
        var dB = new double[3, 4];
        double value = MatrixFunctions.BilinearGradient(a, b, scale, dA, dB);
        Assert.Equal(MatrixFunctions.Bilinear(a, b, scale), value);
        var result = GradientCheck.Check(p => MatrixFunctions.Bilinear(Shaped(p[..6], 2, 3), Shaped(p[6..], 3, 4), scale), Flat(a).Concat(Flat(b)).ToArray(), Flat(dA).Concat(Flat(dB)).ToArray());
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void GradientOfOtherDimensions_IsAnArgumentException_BeforeAnythingIsWritten()
    {
        var a = Matrix(3, 3);
        var dX = new double[3];
        var wrong = new double[3, 2];
        var exception = Assert.Throws<ArgumentException>(() => MatrixFunctions.QuadraticFormGradient(a, Vector(3), wrong, dX));
        Assert.Equal("dA", exception.ParamName);
        Assert.Contains("must be a 3 x 3 array like 'a', but is 3 x 2", exception.Message);
        Assert.All(dX, g => Assert.Equal(0, g));
    }

    [Fact]
    public void MatrixPassedToHelpers_MatchesCentralDifferences()
    {
        var w = Matrix(2, 3);
        var x = Vector(3);
        var dW = new double[2, 3];
        var dX = new double[3];
        Assert.Equal(MatrixFunctions.PassedToHelpers(w, x), MatrixFunctions.PassedToHelpersGradient(w, x, dW, dX));
        var result = GradientCheck.Check(p => MatrixFunctions.PassedToHelpers(Shaped(p[..6], 2, 3), p[6..]), Flat(w).Concat(x).ToArray(), Flat(dW).Concat(dX).ToArray());
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void ForeachOverAMatrix_AndJaggedData_MatchCentralDifferences()
    {
        var m = Matrix(2, 3);
        var dM = new double[2, 3];
        MatrixFunctions.SumOfSquaresGradient(m, dM);
        var result = GradientCheck.Check(p => MatrixFunctions.SumOfSquares(Shaped(p, 2, 3)), Flat(m), Flat(dM));
        Assert.True(result.Passed, result.ToString());

        var w = Vector(3);
        double[][] rows = { Vector(3), Vector(2), Vector(3) };
        var dW = new double[3];
        Assert.Equal(MatrixFunctions.JaggedData(w, rows), MatrixFunctions.JaggedDataGradient(w, rows, dW));
        result = GradientCheck.Check(p => MatrixFunctions.JaggedData(p, rows), w, dW);
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void ComposedMatrixLayers_GradientsReachTheSubModules_AndRegisterByDottedName()
    {
        var model = new MatrixNet(new Random(5));
        var gradient = new MatrixNet(new Random(6));
        var parameters = new ParameterSet<double>();
        model.AddParameters(parameters.AddGroup(learningRate: 0), gradient);
        parameters.ZeroGrad();
        double[] x = { 0.7, -0.4 };
        Assert.Equal(model.Loss(x, 0.3), model.LossGradient(x, 0.3, gradient));
        Assert.Equal(new[] { "L1.W", "L2.W" }, parameters.Parameters.Select(p => p.Name));
        var result = GradientCheck.Check(() => model.Loss(x, 0.3), parameters);
        Assert.True(result.Passed, result.ToString());

        gradient.L2.W = new double[1, 2];
        var exception = Assert.Throws<ArgumentException>(() => model.LossGradient(x, 0.3, gradient));
        Assert.Contains("'L2.W' must be a 1 x 3 array", exception.Message);
    }

    [Fact]
    public void MatrixReadByAnUnmarkedHelperOfTheModel_MatchesCentralDifferences()
    {
        var model = new MatrixHelperModel();
        var gradient = new MatrixHelperModel { Weight = new double[2, 3], Scale = 0 };
        var parameters = new ParameterSet<double>();
        model.AddParameters(parameters.AddGroup(learningRate: 0), gradient);
        double[] x = { 0.4, -0.9, 1.1 };
        Assert.Equal(model.Loss(x), model.LossGradient(x, gradient));
        var result = GradientCheck.Check(() => model.Loss(x), parameters);
        Assert.True(result.Passed, result.ToString());
    }

    [Fact]
    public void NullableArrayAndMatrixMembers_CompileWithoutWarnings_AndMatchCentralDifferences()
    {
        var model = new NullableMatrixModel();
        var gradient = new NullableMatrixModel { Weight = new double[2, 2], Bias = new double[2] };
        var parameters = new ParameterSet<double>();
        model.AddParameters(parameters.AddGroup(learningRate: 0), gradient);
        double[] x = { 0.3, -0.8 };
        Assert.Equal(model.Loss(x), model.LossGradient(x, gradient));
        var result = GradientCheck.Check(() => model.Loss(x), parameters);
        Assert.True(result.Passed, result.ToString());
        gradient.Bias = null;
        Assert.Contains("'Bias'", Assert.Throws<ArgumentException>(() => model.LossGradient(x, gradient)).Message);
    }

    [Fact]
    public void ModelWithMatrixWeight_GradientAndRegistration_PassTheCheck()
    {
        var model = new MatrixRegressor(2, 3, new Random(3));
        var gradient = new MatrixRegressor(2, 3, new Random(4));
        var parameters = new ParameterSet<double>();
        model.AddParameters(parameters.AddGroup(learningRate: 0), gradient);
        parameters.ZeroGrad();
        double[] x = { 0.5, -1.0, 0.25 }, y = { 0.2, -0.3 };
        Assert.Equal(model.Loss(x, y), model.LossGradient(x, y, gradient));
        Assert.Equal(new[] { "Weight", "Bias" }, parameters.Parameters.Select(p => p.Name));

        var result = GradientCheck.Check(() => model.Loss(x, y), parameters);
        Assert.True(result.Passed, result.ToString());
        Assert.Equal(6 + 2, result.NumericGradient.Count);

        gradient.Weight = new double[3, 2];
        var exception = Assert.Throws<ArgumentException>(() => model.LossGradient(x, y, gradient));
        Assert.Contains("'Weight' must be a 2 x 3 array", exception.Message);
    }
}
