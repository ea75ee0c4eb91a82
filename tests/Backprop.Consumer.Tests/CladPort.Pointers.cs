using System;
using Backprop;

// Clad's functions keep parameters their results do not depend on (BPG016 warns of each).
#pragma warning disable BPG016

namespace Backprop.Consumer.Tests;

/// <summary>
/// Clad's test/Gradient/Pointers.C, ported to C#: pointers to one value as ref locals, new'd values and arrays as
/// arrays, new'd structs as classes. Pointer arithmetic (arrayPointer, pointerParam, pointerMultipleParams,
/// nestedPtrFn), malloc/realloc (cStyleMemoryAlloc) and a struct holding a pointer (pointerAliasing) have no C# meaning.
/// </summary>
public static partial class CladPointers
{
    // nonMemFn
    [Differentiable] public static double NonMemFn(double i) => i * i;

    // minimalPointer
    [Differentiable]
    public static double MinimalPointer(double x)
    {
        ref double p = ref x;
        p = p * p;
        return p;
    }

    // newAndDeletePointer
    [Differentiable]
    public static double NewAndDeletePointer(double i, double j)
    {
        double[] p = { i };
        double[] q = { j };
        double[] r = new double[2];
        r[0] = i + j;
        r[1] = i * j;
        double sum = p[0] + q[0] + r[0] + r[1];
        return sum;
    }

    public sealed class T
    {
        public double X;
        public int Y;
    }

#if CLAD_PORT_REJECTED
    // Rejected: BPG015 at 'new T { X = x }'
    // structPointer
    [Differentiable]
    public static double StructPointer(double x)
    {
        T t = new T { X = x };
        double res = t.X;
        return res;
    }
#endif

    // listInitPtrFn
    [Differentiable]
    public static double ListInitPtrFn(double x, double y)
    {
        ref double ptr = ref x;
        ptr += y;
        return ptr;
    }

    public sealed class Node
    {
        public Node? Prev;
        public double Value = 1;
    }

#if CLAD_PORT_REJECTED
    // Rejected: BPG018 at 'newNode = new Node()'
    // nestedStruct
    [Differentiable]
    public static double NestedStruct(double x)
    {
        Node node = new Node();
        node.Value = x;
        Node newNode = new Node();
        newNode.Prev = node;
        return newNode.Prev.Value;
    }
#endif
}
