using System;
using Xunit;

namespace Backprop.Generator.Tests;

/// <summary>
/// <c>goto case</c> and <c>goto default</c> at the end of a switch section (issue 16) run the target section's statements,
/// followed through chains of jumps; the gradient of each path against central differences.
/// </summary>
public sealed class GotoCaseTests
{
    [Fact]
    public void GotoCase_AtTheEndOfASection_RunsTheTargetSection()
    {
        var type = GeneratorHarness.CompileAndLoad("""
            using System;
            using Backprop;

            public static partial class Model
            {
                [Differentiable]
                public static double F(double x, int k)
                {
                    double s = x;
                    switch (k)
                    {
                        case 0:
                            s *= 2;
                            goto case 1;
                        case 1:
                            s += x * x;
                            goto default;
                        case 2:
                            s = Math.Sin(s);
                            break;
                        default:
                            s -= Math.Exp(x) * 0.5;
                            break;
                    }
                    return s * x;
                }

                public static double Check()
                {
                    double worst = 0;
                    const double x = 0.7, h = 1e-6;
                    for (int k = 0; k < 4; k++)
                    {
                        double value = FGradient(x, k, out double dx);
                        double numeric = (F(x + h, k) - F(x - h, k)) / (2 * h);
                        worst = Math.Max(worst, Math.Abs(value - F(x, k)) + Math.Abs(numeric - dx) / Math.Max(1, Math.Abs(numeric)));
                    }
                    // k = 0 runs all three: ((2x + x²) - e^x / 2) x.
                    worst = Math.Max(worst, Math.Abs(F(x, 0) - ((2 * x + x * x) - Math.Exp(x) * 0.5) * x));
                    return worst;
                }
            }
            """).GetType("Model")!;
        double worst = (double)type.GetMethod("Check")!.Invoke(null, null)!;
        Assert.True(worst < 1e-6, "worst error " + worst);
    }
}
