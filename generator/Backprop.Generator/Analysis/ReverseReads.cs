using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Helpers;
using Backprop.Generator.Ir;

namespace Backprop.Generator.Analysis;

/// <summary>Where a statement sits: its pre-order position and the loops around it.</summary>
internal sealed class Site
{
    public Site(int position, int[] loops)
    {
        Position = position;
        Loops = loops;
    }

    public int Position { get; }

    public int[] Loops { get; }
}

/// <summary>
/// The "what to record" analysis: which variables the reverse sweep reads, and where. An overwrite must save the old
/// value only if a reverse read can observe it: a read at an earlier statement (its reverse runs later), a read of the
/// old value by the overwriting statement itself, or any read in a loop shared with the overwrite (a later iteration
/// overwrites what an earlier one's reverse reads). A dot product <c>s += w[i] * x[i]</c> records nothing;
/// <c>h = tanh(h * u + x[t])</c> records one value per step.
/// </summary>
internal sealed class ReverseReads
{
    private readonly Dictionary<IrStatement, Site> _sites = new(ReferenceComparer<IrStatement>.Instance);
    private readonly Dictionary<int, List<(Site Site, bool After, long? Index)>> _reads = new();

    public ReverseReads(IEnumerable<IrStatement> body)
    {
        int position = 0;
        int loop = 0;
        var loops = new Stack<int>();
        void Number(IEnumerable<IrStatement> block)
        {
            foreach (var statement in block)
            {
                _sites[statement] = new Site(position++, loops.Reverse().ToArray());
                switch (statement)
                {
                    case IrIf branch:
                        Number(branch.Then);
                        Number(branch.Else);
                        break;
                    case IrLoop l:
                        loops.Push(loop++);
                        Number(l.Body);
                        Number(l.Step);
                        loops.Pop();
                        break;
                }
            }
        }
        Number(body);
    }

    public int Count { get; private set; }

    public Site SiteOf(IrStatement statement) => _sites[statement];

    /// <summary>Records that the reverse of <paramref name="statement"/> reads <paramref name="variable"/>: its value
    /// before the statement ran, or, with <paramref name="after"/>, the value the statement produced; for a buffer, the
    /// element at the constant <paramref name="index"/> only, or (null) any element.</summary>
    public void Add(int variable, IrStatement statement, bool after = false, long? index = null)
    {
        if (!_reads.TryGetValue(variable, out var sites)) _reads[variable] = sites = new List<(Site, bool, long?)>();
        var site = _sites[statement];
        if (sites.Any(s => s.Site == site && s.After == after && s.Index == index)) return;
        sites.Add((site, after, index));
        Count++;
    }

    public bool IsRead(int variable) => _reads.ContainsKey(variable);

    /// <summary>The last pre-order position inside <paramref name="statement"/> (its own, when it has no children).</summary>
    public int LastPosition(IrStatement statement)
    {
        int last = _sites[statement].Position;
        IrWalker.VisitStatements(statement, s => last = System.Math.Max(last, _sites[s].Position));
        return last;
    }

    /// <summary>
    /// Whether the reverse sweep reads <paramref name="variable"/> after the statement at <paramref name="from"/> ran and
    /// up to the position <paramref name="to"/>: at a statement in (from, to], or the value the statement at from produced.
    /// </summary>
    /// <param name="excludingAfterAt">A statement whose read of its own result does not count (the store that produced it).</param>
    public bool IsReadBetween(int variable, int from, int to, IrStatement? excludingAfterAt = null) =>
        _reads.TryGetValue(variable, out var reads)
        && reads.Any(r => ((r.Site.Position > from && r.Site.Position <= to) || (r.Site.Position == from && r.After))
            && !(r.After && excludingAfterAt is not null && r.Site == _sites[excludingAfterAt]));

    /// <summary>
    /// Whether an overwrite of <paramref name="variable"/> at <paramref name="statement"/> must be undone in the reverse
    /// sweep; for a store at a constant <paramref name="index"/>, reads of other constant elements do not count.
    /// </summary>
    public bool MustRestore(int variable, IrStatement statement, long? index = null)
    {
        if (!_reads.TryGetValue(variable, out var reads)) return false;
        var write = _sites[statement];
        return reads.Any(r => (index is null || r.Index is null || r.Index == index) && (
            r.Site.Position < write.Position
            || (r.Site.Position == write.Position && !r.After)
            || r.Site.Loops.Intersect(write.Loops).Any()));
    }
}
