using System;
using System.IO;
using System.Runtime.CompilerServices;
using Xunit.Sdk;

namespace Backprop.Generator.Tests;

/// <summary>
/// Verify-style snapshots: <c>Snapshots/{Class}.{Test}.verified.cs</c> is checked in; a mismatch writes
/// <c>.received.cs</c> beside it and fails. Set <c>BACKPROP_ACCEPT_SNAPSHOTS=1</c> to accept the received text.
/// Swapping in Verify.SourceGenerators later only replaces calls to <see cref="Verify"/>.
/// </summary>
internal static class Snapshot
{
    public const string AcceptVariable = "BACKPROP_ACCEPT_SNAPSHOTS";

    public static void Verify(string actual, string className, [CallerMemberName] string test = "", [CallerFilePath] string file = "")
    {
        string directory = Path.Combine(Path.GetDirectoryName(file)!, "Snapshots");
        string stem = Path.Combine(directory, className + "." + test);
        string verified = stem + ".verified.cs";
        string received = stem + ".received.cs";
        actual = actual.Replace("\r\n", "\n");

        if (Environment.GetEnvironmentVariable(AcceptVariable) == "1")
        {
            Directory.CreateDirectory(directory);
            File.WriteAllText(verified, actual);
            if (File.Exists(received)) File.Delete(received);
            return;
        }
        string? expected = File.Exists(verified) ? File.ReadAllText(verified).Replace("\r\n", "\n") : null;
        if (expected == actual)
        {
            if (File.Exists(received)) File.Delete(received);
            return;
        }
        Directory.CreateDirectory(directory);
        File.WriteAllText(received, actual);
        throw new XunitException(expected is null
            ? $"No snapshot {verified}; wrote {received}. Review it and rerun with {AcceptVariable}=1 to accept."
            : $"Snapshot {verified} differs; wrote {received}. Diff them, and rerun with {AcceptVariable}=1 to accept.");
    }
}
