namespace DiSRouter.Training.Pool;

/// <summary>
/// The order in which examples are seen: a pure function of (seed, step), so a resumed run draws
/// exactly the batches the uninterrupted run would have drawn. Each epoch is a fresh shuffle; inside
/// windows of <see cref="WindowBatches"/> batches examples are grouped by length so padding stays
/// small, and the window's batches are then shuffled so lengths do not cycle. An optional length curriculum
/// draws the first <c>shortSteps</c> batches from the examples of at most <c>shortMaxLength</c> tokens only
/// (one-step items, fact statements): small models learn to copy and to do one step there, faster and on cheaper
/// steps, before the long chains.
/// </summary>
internal sealed class BatchSchedule
{
    private const int WindowBatches = 16;
    private readonly int[] _lengths;
    private readonly int _batchSize;
    private readonly int _seed;
    private int _cachedEpoch = -1;
    private int[][] _cachedBatches = [];

    private readonly int _shortSteps;
    private readonly int[] _shortIndices = [];
    private readonly BatchSchedule? _short;

    public BatchSchedule(IReadOnlyList<int> lengths, int batchSize, int seed, int shortSteps = 0, int shortMaxLength = 0)
    {
        if (lengths.Count < batchSize) throw new ArgumentException($"The corpus has {lengths.Count} examples, fewer than one batch of {batchSize}.");
        ArgumentOutOfRangeException.ThrowIfNegative(shortSteps);
        _lengths = lengths.ToArray();
        _batchSize = batchSize;
        _seed = seed;
        if (shortSteps == 0) return;
        _shortSteps = shortSteps;
        _shortIndices = Enumerable.Range(0, _lengths.Length).Where(i => _lengths[i] <= shortMaxLength).ToArray();
        if (_shortIndices.Length < batchSize)
            throw new ArgumentException($"Only {_shortIndices.Length} examples have at most {shortMaxLength} tokens, fewer than one batch of {batchSize}: the curriculum has nothing to draw.");
        _short = new BatchSchedule(_shortIndices.Select(i => _lengths[i]).ToArray(), batchSize, unchecked(seed * 31 + 17));
    }

    public int BatchesPerEpoch => _lengths.Length / _batchSize;

    /// <summary>Indices of the examples of optimizer step <paramref name="step"/> (0-based).</summary>
    public int[] Batch(int step)
    {
        if (step < _shortSteps) return _short!.Batch(step).Select(i => _shortIndices[i]).ToArray();
        step -= _shortSteps; // the full corpus then starts at its first epoch
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
