using System;
using Backprop.Training;
using Xunit;

namespace Backprop.Runtime.Tests;

public class AllocationTests
{
    [Theory]
    [MemberData(nameof(OptimizerKinds.All), MemberType = typeof(OptimizerKinds))]
    public void TrainingStep_AfterWarmUp_AllocatesNothing(string kind)
    {
        var model = new OptimizerKinds.Model();
        var optimizer = OptimizerKinds.Create(kind, model.Set);
        var schedule = new CosineAnnealingLR(model.Set.Groups, tMax: 50);
        var plateau = new ReduceLROnPlateau(model.Set.Groups, patience: 2);
        var stopping = new EarlyStopping<double>(model.Set, patience: 1000);
        var mask = new double[8];
        var random = new Random(1);

        void TrainingStep(int step)
        {
            optimizer.ZeroGrad();
            model.FillGradients(step);
            Penalty.L2(model.Set, 1e-3);
            GradientClipping.ClipGradNorm(model.Set, 1.0);
            GradientClipping.ClipGradValue(model.Set, 0.5);
            Dropout.FillMask<double>(mask, 0.3, random);
            optimizer.Step();
            schedule.Step();
            plateau.Step(1.0 / step);
            stopping.Observe(1.0 / step);
        }

        for (int step = 1; step <= 20; step++) TrainingStep(step);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int step = 21; step <= 120; step++) TrainingStep(step);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }

    [Fact]
    public void AdamStep_Float_AfterWarmUp_AllocatesNothing()
    {
        var w = new float[37];
        var g = new float[37];
        var set = new ParameterSet<float>();
        set.AddGroup(0.01f).Add("w", w, g);
        var optimizer = new Adam<float>(set, new AdamOptions { AmsGrad = true });
        for (int i = 0; i < 10; i++) { g.AsSpan().Fill(0.1f * i); optimizer.Step(); }
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) { g.AsSpan().Fill(0.1f); optimizer.Step(); }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
