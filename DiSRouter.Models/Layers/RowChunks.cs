namespace DiSRouter.Models.Layers;

/// <summary>
/// Splits N rows into work items for <see cref="Kernels.EngineThreads"/>: big enough that the hand-off costs
/// less than the work (about 16K floats touched), small enough that two threads on a shared machine balance.
/// The split depends on the shape only, never on the thread count, so results are bit-identical on any machine.
/// </summary>
internal readonly struct RowChunks
{
    private const int GrainFloats = 16 * 1024;

    public RowChunks(int rows, int floatsPerRow)
    {
        Rows = rows;
        int perItem = Math.Max(1, GrainFloats / Math.Max(1, floatsPerRow));
        Count = rows <= 0 ? 0 : (rows + perItem - 1) / perItem;
        RowsPerItem = perItem;
    }

    public int Rows { get; }
    public int Count { get; }
    public int RowsPerItem { get; }

    public (int Start, int End) this[int item] => (item * RowsPerItem, Math.Min(Rows, (item + 1) * RowsPerItem));
}
