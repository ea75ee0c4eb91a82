using System.Collections.Generic;
using System.Runtime.CompilerServices;

namespace Backprop.Generator.Helpers;

/// <summary>Compares by identity: IR records compare by value, but side tables key on one node.</summary>
internal sealed class ReferenceComparer<T> : IEqualityComparer<T>
    where T : class
{
    public static readonly ReferenceComparer<T> Instance = new();

    public bool Equals(T? x, T? y) => ReferenceEquals(x, y);

    public int GetHashCode(T obj) => RuntimeHelpers.GetHashCode(obj);
}
