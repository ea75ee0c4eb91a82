using System;
using System.Threading;
using Backprop.CompilerServices;
using Xunit;

namespace Backprop.Runtime.Tests;

/// <summary>The tape generated gradients push on: mixed element types, ranges, growth into the pool, misuse.</summary>
public class TapeTests
{
    [Fact]
    public void MixedValues_PopInReverseOrder()
    {
        var tape = new Tape(stackalloc byte[64]);
        try
        {
            tape.Push(1.5);
            tape.Push(7);
            tape.Push(true);
            tape.Push(2.25f);
            tape.Push(long.MaxValue);
            Assert.Equal(40, tape.Count);
            Assert.Equal(long.MaxValue, tape.Pop<long>());
            Assert.Equal(2.25f, tape.Pop<float>());
            Assert.True(tape.Pop<bool>());
            Assert.Equal(7, tape.Pop<int>());
            Assert.Equal(1.5, tape.Pop<double>());
            Assert.Equal(0, tape.Count);
        }
        finally
        {
            tape.Dispose();
        }
    }

    [Fact]
    public void Full_Throws_ThenRestartDoublesCapacity_AndLaterTapesStartThatLarge()
    {
        var tape = new Tape(stackalloc byte[32]);
        try
        {
            int capacity = tape.Capacity;
            var full = Record.Exception(() =>
            {
                var t = new Tape(stackalloc byte[32]);
                for (int i = 0; i <= t.Capacity / 8; i++) t.Push((double)i);
            });
            Assert.IsType<TapeFullException>(full);

            while (true)
            {
                bool filled = false;
                try
                {
                    for (int i = 0; i < 100_000; i++) tape.Push((double)i);
                }
                catch (TapeFullException)
                {
                    filled = true;
                    tape.Restart();
                }
                if (!filled) break;
                Assert.Equal(0, tape.Count);
                Assert.True(tape.Capacity >= 2 * capacity);
                capacity = tape.Capacity;
            }
            for (int i = 99_999; i >= 0; i--) Assert.Equal(i, tape.Pop<double>());

            var later = new Tape(stackalloc byte[32]);
            Assert.True(later.Capacity >= 100_000 * 8);
            later.Dispose();
        }
        finally
        {
            tape.Dispose();
        }
    }

    [Fact]
    public void Ranges_RoundTripWithTheirLength_AndInterleaveWithValues()
    {
        var tape = new Tape(stackalloc byte[64]);
        try
        {
            Span<float> odd = stackalloc float[] { 1, 2, 3 };
            tape.Push(42);
            tape.PushRange<float>(odd);
            tape.Push(-1.0);
            odd.Clear();

            Assert.Equal(-1.0, tape.Pop<double>());
            int length = tape.Pop<int>();
            Assert.Equal(3, length);
            Span<float> back = stackalloc float[length];
            tape.PopRange(back);
            Assert.Equal(new float[] { 1, 2, 3 }, back.ToArray());
            Assert.Equal(42, tape.Pop<int>());
            Assert.Equal(0, tape.Count);
        }
        finally
        {
            tape.Dispose();
        }
    }

    [Fact]
    public void RangePoppedAsView_HoldsTheValues_AndIsWritableInPlace()
    {
        var tape = new Tape(stackalloc byte[64]);
        try
        {
            Span<double> values = stackalloc double[] { 1, 2, 3 };
            tape.Push(42);
            tape.PushRange<double>(values);
            tape.PushRange<int>(stackalloc int[] { 7, 8, 9 });
            values.Clear();

            Span<int> ints = tape.PopRange<int>();
            Assert.Equal(new[] { 7, 8, 9 }, ints.ToArray());
            Span<double> view = tape.PopRange<double>();
            Assert.Equal(new double[] { 1, 2, 3 }, view.ToArray());
            view[1] = 5;                      // a restore in the reverse sweep writes the view
            Assert.Equal(42, tape.Pop<int>());
            Assert.Equal(new double[] { 1, 5, 3 }, view.ToArray());
            Assert.Equal(0, tape.Count);
        }
        finally
        {
            tape.Dispose();
        }
    }

    [Theory]
    [InlineData(1, 4)]     // inside
    [InlineData(-2, 3)]    // clipped below
    [InlineData(3, 9)]     // clipped above
    [InlineData(4, 4)]     // empty
    [InlineData(5, 2)]     // reversed: empty
    [InlineData(7, 12)]    // entirely past the end
    public void Slices_RestoreExactlyTheOverwrittenElements(int start, int end)
    {
        var tape = new Tape(stackalloc byte[128]);
        try
        {
            Span<double> values = stackalloc double[] { 1, 2, 3, 4, 5 };
            tape.Push(42);
            tape.PushSlice<double>(values, start, end);
            for (int i = Math.Max(start, 0); i < Math.Min(end, values.Length); i++) values[i] = -1;
            tape.PopSlice<double>(values, start, end);
            Assert.Equal(new double[] { 1, 2, 3, 4, 5 }, values.ToArray());
            Assert.Equal(42, tape.Pop<int>());
            Assert.Equal(0, tape.Count);
        }
        finally
        {
            tape.Dispose();
        }
    }

    [Fact]
    public void Start_KeepsStorageForTheThread_NestedTapesGetTheirOwn_AndGrownStorageStays()
    {
        static void Run()
        {
            var outer = Tape.Start();
            outer.Push(1.0);
            var inner = Tape.Start();              // while the thread's storage is in use
            inner.Push(2.0);
            Assert.Equal(2.0, inner.Pop<double>());
            inner.Dispose();
            Assert.Equal(1.0, outer.Pop<double>());  // the inner tape did not write over it
            outer.Dispose();

            var grown = Tape.Start();
            int start = grown.Capacity;
            try
            {
                for (int i = 0; i <= start / 8; i++) grown.Push((double)i);
            }
            catch (TapeFullException)
            {
                grown.Restart();
            }
            int capacity = grown.Capacity;
            Assert.True(capacity > start);
            grown.Dispose();
            var next = Tape.Start();
            Assert.Equal(capacity, next.Capacity);
            Assert.Equal(0, next.Count);
            next.Dispose();
        }
        // On a thread of its own, so that no other test's tape storage is involved.
        Exception? failure = null;
        var thread = new Thread(() => { try { Run(); } catch (Exception e) { failure = e; } });
        thread.Start();
        thread.Join();
        Assert.Null(failure);
    }

    [Fact]
    public void PopOnEmptyTape_Throws_InsteadOfReadingGarbage()
    {
        var thrown = Record.Exception(() =>
        {
            var tape = new Tape(stackalloc byte[16]);
            tape.Push(1);
            tape.Pop<int>();
            tape.Pop<int>();
        });
        Assert.IsType<InvalidOperationException>(thrown);
    }

    /// <summary>
    /// A forward sweep that runs again after a restart skips the side effects its earlier runs made, and makes the ones
    /// they did not reach: each once in all (issue 16).
    /// </summary>
    [Fact]
    public void RunsEffect_AfterRestarts_RunsEachEffectOnce()
    {
        var tape = new Tape(stackalloc byte[16]);
        try
        {
            var made = new System.Collections.Generic.List<int>();
            // Each step makes effect k, then pushes one value: more values than the tape holds at first.
            int steps = tape.Capacity / 8 + 3, restarts = 0;
            for (bool done = false; !done;)
            {
                try
                {
                    for (int k = 0; k < steps; k++)
                    {
                        if (tape.RunsEffect()) made.Add(k);
                        tape.Push((double)k);
                    }
                    done = true;
                }
                catch (TapeFullException)
                {
                    tape.Restart();
                    restarts++;
                }
            }
            Assert.True(restarts > 0);
            Assert.Equal(System.Linq.Enumerable.Range(0, steps), made);
        }
        finally
        {
            tape.Dispose();
        }
    }

    [Fact]
    public void WarmPushAndPop_AllocateNothing()
    {
        static void Run()
        {
            var tape = new Tape(stackalloc byte[64]);
            if (tape.Capacity < 81_000) tape.Restart();
            while (tape.Capacity < 81_000) tape.Restart();
            try
            {
                for (int i = 0; i < 10_000; i++) tape.Push(i * 0.5);
                Span<double> values = stackalloc double[100];
                tape.PushRange<double>(values);
                tape.Pop<int>();
                tape.PopRange(values);
                for (int i = 0; i < 10_000; i++) tape.Pop<double>();
            }
            finally
            {
                tape.Dispose();
            }
        }
        Run();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int k = 0; k < 10; k++) Run();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
