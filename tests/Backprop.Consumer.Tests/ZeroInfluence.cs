using Backprop;

namespace Backprop.Consumer.Tests;

public static partial class ZeroInfluence
{
#pragma warning disable BPG016 // On purpose: 'unused' has no influence, and the test checks its zero gradient.
    [Differentiable]
    public static double IgnoresAParameter(double used, double unused) => used * used;
#pragma warning restore BPG016
}
