namespace DiSRouter.Training.Pool;

/// <summary>
/// The order in which examples are seen: a pure function of (seed, step), so a resumed run draws
/// exactly the batches the uninterrupted run would have drawn. Each epoch is a fresh shuffle; inside
/// windows of <see cref="WindowBatches"/> batches examples are grouped by length so padding stays
/// small, and the window's batches are then shuffled so lengths do not cycle.
/// </summary>
internal sealed class BatchSchedule
{
    private const int WindowBatches = 16;
    private readonly int[] _lengths;
    private readonly int _batchSize;
    private readonly int _seed;
    private int _cachedEpoch = -1;
    private int[][] _cachedBatches = [];

    public BatchSchedule(IReadOnlyList<int> lengths, int batchSize, int seed)
    {
        if (lengths.Count < batchSize) throw new ArgumentException($"The corpus has {lengths.Count} examples, fewer than one batch of {batchSize}.");
        _lengths = lengths.ToArray();
        _batchSize = batchSize;
        _seed = seed;
    }

    public int BatchesPerEpoch => _lengths.Length / _batchSize;

    /// <summary>Indices of the examples of optimizer step <paramref name="step"/> (0-based).</summary>
    public int[] Batch(int step)
    {
        int epoch = step / BatchesPerEpoch;
        if (epoch != _cachedEpoch) { _cachedBatches = BuildEpoch(epoch); _cachedEpoch = epoch; }
        return _cachedBatches[step % BatchesPerEpoch];
    }

    private int[][] BuildEpoch(int epoch)
    {
        var rng = new Random(unchecked(_seed * 1_000_003 + epoch * 7_919 + 0x5eed)); // not HashCode: it is salted per process
        var order = Enumerable.Range(0, _lengths.Length).ToArray();
        rng.Shuffle(order);
        var batches = new int[BatchesPerEpoch][];
        int window = WindowBatches * _batchSize;
        for (int start = 0, b = 0; b < batches.Length; start += window)
        {
            int count = Math.Min(window, batches.Length * _batchSize - start);
            var chunk = order.AsSpan(start, count).ToArray();
            // Stable sort by length keeps the shuffled order among equal lengths.
            var sorted = chunk.Select((idx, pos) => (idx, pos)).OrderBy(x => _lengths[x.idx]).ThenBy(x => x.pos).Select(x => x.idx).ToArray();
            var windowBatches = sorted.Chunk(_batchSize).ToArray();
            rng.Shuffle(windowBatches);
            foreach (var wb in windowBatches) batches[b++] = wb;
        }
        return batches;
    }
}
