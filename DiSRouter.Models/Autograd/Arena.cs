namespace DiSRouter.Models.Autograd;

/// <summary>
/// Bump allocator for the activations and activation gradients of one forward/backward pass. Everything is
/// released at once by <see cref="Reset"/>. A pass that outgrows the block continues in extra blocks, and the
/// next reset merges them into one block big enough for the whole pass, so steady-state training allocates nothing.
/// </summary>
internal sealed class Arena
{
    private const int Align = 16; // floats: 64 bytes, one cache line / one Vector512
    private readonly List<float[]> _blocks = [];
    private int _current;          // block being filled
    private int _used;             // floats used in the current block
    private long _usedBefore;      // floats used in the blocks before the current one

    public Arena(int initialFloats = 1 << 16) => _blocks.Add(GC.AllocateUninitializedArray<float>(initialFloats));

    /// <summary>Floats handed out since the last reset.</summary>
    public long UsedFloats => _usedBefore + _used;

    /// <summary>Floats the arena holds in all its blocks.</summary>
    public long CapacityFloats { get { long n = 0; foreach (var b in _blocks) n += b.Length; return n; } }

    /// <summary>A slice of <paramref name="length"/> floats, cleared when <paramref name="zero"/>, else holding garbage.</summary>
    public ArraySegment<float> Allocate(int length, bool zero)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        int rounded = (length + Align - 1) / Align * Align;
        while ((long)_used + rounded > _blocks[_current].Length)
        {
            _usedBefore += _used;
            _used = 0;
            _current++;
            if (_current == _blocks.Count)
            {
                long grow = Math.Max(rounded, 2L * _blocks[_current - 1].Length);
                _blocks.Add(GC.AllocateUninitializedArray<float>((int)Math.Min(Array.MaxLength, grow)));
            }
        }
        var slice = new ArraySegment<float>(_blocks[_current], _used, length);
        _used += rounded;
        if (zero) slice.AsSpan().Clear();
        return slice;
    }

    /// <summary>Releases every slice; slices handed out before must not be used afterwards.</summary>
    public void Reset()
    {
        if (_current > 0)
        {
            // The pass needed several blocks: replace them with one that holds it all.
            long total = CapacityFloats;
            _blocks.Clear();
            _blocks.Add(GC.AllocateUninitializedArray<float>((int)Math.Min(Array.MaxLength, total)));
        }
        _current = 0;
        _used = 0;
        _usedBefore = 0;
    }
}
