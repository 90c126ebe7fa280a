using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace DiSRouter.Models.Kernels;

/// <summary>A unit of parallel work: <see cref="Invoke"/> runs item <c>index</c> of a <see cref="EngineThreads.ParallelFor{T}(int, T)"/>.</summary>
public interface IParallelBody
{
    void Invoke(int index);
}

/// <summary>
/// The engine's degree of parallelism and a low-overhead parallel-for over persistent worker threads.
/// </summary>
/// <remarks>
/// WHY not Parallel.For: the engine issues thousands of small kernels per second (one per layer and op); the
/// thread pool's queueing and the delegate/closure allocations cost more than the work of a 64×64 product.
/// Here the caller publishes one job, the workers (one per extra core) spin briefly and then sleep, and
/// items are claimed dynamically, so a worker that the OS has descheduled (the machine is shared) only
/// delays the items it has already claimed — the caller takes over the rest instead of waiting for it.
/// Only one job runs on the pool at a time; a nested call (from inside a body) or a concurrent call from
/// another thread (e.g. two HTTP requests) finds the pool busy and runs inline on its own thread, so calls
/// never deadlock and never interleave their items.
/// </remarks>
public static unsafe class EngineThreads
{
    private static int _count = Environment.ProcessorCount;

    /// <summary>How many threads (the caller included) a parallel-for may use; at least 1. Default: the number of processors.</summary>
    public static int Count
    {
        get => Volatile.Read(ref _count);
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            Volatile.Write(ref _count, value);
        }
    }

    /// <summary>
    /// The threads a parallel-for started now would get: 1 when the pool is already running a job (a call from inside
    /// a parallel body, or another caller's job), else <see cref="Count"/>. Kernels use it to skip splitting work
    /// that would run inline anyway.
    /// </summary>
    public static int AvailableThreads => Pool.IsBusy ? 1 : Count;

    /// <summary>Runs <paramref name="body"/> for every index in [0, count), spread over up to <see cref="Count"/> threads. Allocates nothing.</summary>
    public static void ParallelFor<T>(int count, T body) where T : struct, IParallelBody
    {
        if (count <= 0) return;
        if (count == 1 || Count <= 1 || !Pool.TryEnter())
        {
            for (int i = 0; i < count; i++) body.Invoke(i);
            return;
        }
        // The body lives in this frame (the stack never moves) while the workers read it through a pointer;
        // Run returns only after every item has finished, so the pointer never outlives the frame.
        T local = body;
        Pool.Run(count, &Thunk<T>, Unsafe.AsPointer(ref local));
    }

    /// <summary>Convenience overload for callers that already hold a delegate (cache it: a lambda with captures allocates).</summary>
    public static void ParallelFor(int count, Action<int> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        ParallelFor(count, new ActionBody(body));
    }

    /// <summary>Zero-allocation form for code that keeps its state in unmanaged memory or pinned buffers.</summary>
    public static void ParallelFor(int count, delegate*<int, void*, void> body, void* state)
    {
        if (count <= 0) return;
        if (count == 1 || Count <= 1 || !Pool.TryEnter())
        {
            for (int i = 0; i < count; i++) body(i, state);
            return;
        }
        Pool.Run(count, body, state);
    }

    /// <summary>Test hook: see <see cref="Pool.SetGeneration"/>.</summary>
    internal static void SetGenerationForTests(int generation) => Pool.SetGeneration(generation);

    private static void Thunk<T>(int index, void* state) where T : struct, IParallelBody
        => Unsafe.AsRef<T>(state).Invoke(index);

    private readonly struct ActionBody(Action<int> action) : IParallelBody
    {
        public void Invoke(int index) => action(index);
    }

    // ---------------------------------------------------------------------------------------------
    // The pool: one job at a time. State packs (generation << 32 | next item) in one long so that a worker
    // waking late can never claim an item of a newer job with the function pointer of an older one: its
    // compare-exchange fails as soon as the generation has moved on.

    private static class Pool
    {
        private static int _busy;
        private static long _state;          // (generation << 32) | next unclaimed item
        private static int _itemCount;
        private static delegate*<int, void*, void> _body;
        private static void* _arg;
        private static int _done;            // items finished in the current job
        private static int _activeWorkers;   // workers allowed to join the current job (Count may have shrunk)
        private static Exception? _error;
        private static readonly object _startLock = new();
        private static Worker[] _workers = [];

        // How long an idle worker spins before it sleeps: long enough to catch the next kernel of a training step
        // or of a token's forward pass (the gaps are elementwise ops of microseconds), short enough not to burn a
        // shared core for long when the engine goes idle. Waking a sleeping worker costs tens of microseconds.
        private static readonly long SpinTicks = Stopwatch.Frequency / 5000;   // 200 µs

        public static bool IsBusy => Volatile.Read(ref _busy) != 0;

        public static bool TryEnter() => Interlocked.CompareExchange(ref _busy, 1, 0) == 0;

        /// <summary>Test hook: moves the generation counter (e.g. next to its wrap-around) while no job runs.</summary>
        public static void SetGeneration(int generation)
        {
            var spinner = new SpinWait();
            while (!TryEnter()) spinner.SpinOnce();
            Interlocked.Exchange(ref _state, (long)generation << 32);
            Volatile.Write(ref _busy, 0);
        }

        public static void Run(int count, delegate*<int, void*, void> body, void* arg)
        {
            try
            {
                EnsureWorkers(Math.Min(Count, count) - 1);
                _itemCount = count;
                _body = body;
                _arg = arg;
                _done = 0;
                _error = null;
                int wanted = Math.Min(Count, count) - 1;
                _activeWorkers = wanted;
                // The generation wraps around (unchecked int); only equality is ever tested.
                int generation = unchecked(GenerationOf(Volatile.Read(ref _state)) + 1);
                Interlocked.Exchange(ref _state, (long)generation << 32);
                Worker[] workers = _workers;
                for (int w = 0; w < workers.Length && w < wanted; w++) workers[w].Wake();

                WorkOn(generation);

                var spinner = new SpinWait();
                while (Volatile.Read(ref _done) < count) spinner.SpinOnce(sleep1Threshold: -1);
                // The same exception as an inline run would throw, with its original stack trace.
                if (_error is { } error) ExceptionDispatchInfo.Throw(error);
            }
            finally
            {
                // Close the job before its fields are cleared or reused: a worker still inside WorkOn for this generation
                // must never pair this job's (fully claimed) state with the next job's item count, or it would claim a
                // phantom item and call the next job's body, or a null one, with a stale index. With next = MaxValue
                // every such worker sees "nothing left", and any compare-exchange against an older state fails.
                long current = Volatile.Read(ref _state);
                Interlocked.Exchange(ref _state, (current & ~0xFFFFFFFFL) | int.MaxValue);
                _body = null;
                _arg = null;
                Volatile.Write(ref _busy, 0);
            }
        }

        // Claims and runs items of the given generation until none are left (or the job has moved on).
        private static int GenerationOf(long state) => (int)(state >> 32);

        private static void WorkOn(int generation)
        {
            while (true)
            {
                long s = Volatile.Read(ref _state);
                if (GenerationOf(s) != generation) return;
                int next = (int)(s & 0xFFFFFFFF);
                int count = _itemCount;
                var body = _body;
                void* arg = _arg;
                if (next >= count) return;
                if (Interlocked.CompareExchange(ref _state, s + 1, s) != s) continue;
                try
                {
                    body(next, arg);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref _error, e, null);
                }
                Interlocked.Increment(ref _done);
            }
        }

        private static void EnsureWorkers(int wanted)
        {
            if (_workers.Length >= wanted) return;
            lock (_startLock)
            {
                if (_workers.Length >= wanted) return;
                var grown = new Worker[wanted];
                Array.Copy(_workers, grown, _workers.Length);
                for (int i = _workers.Length; i < wanted; i++) grown[i] = new Worker(i);
                Volatile.Write(ref _workers, grown);
            }
        }

        private sealed class Worker
        {
            private readonly ManualResetEventSlim _wake = new(false, spinCount: 0);
            private int _sleeping;
            private int _seenGeneration;

            private readonly int _index;

            public Worker(int index)
            {
                _index = index;
                _seenGeneration = GenerationOf(Volatile.Read(ref _state));
                var thread = new Thread(Loop) { IsBackground = true, Name = $"engine-worker-{index}" };
                thread.Start();
            }

            public void Wake()
            {
                if (Volatile.Read(ref _sleeping) != 0) _wake.Set();
            }

            private void Loop()
            {
                while (true)
                {
                    int generation = WaitForJob();
                    // _activeWorkers was written before the generation was published, so it belongs to this job.
                    if (_index < Volatile.Read(ref _activeWorkers)) WorkOn(generation);
                }
            }

            private int WaitForJob()
            {
                while (true)
                {
                    long start = Stopwatch.GetTimestamp();
                    for (int i = 1; ; i++)
                    {
                        int g = GenerationOf(Volatile.Read(ref _state));
                        if (g != _seenGeneration) return _seenGeneration = g;
                        if ((i & 63) == 0)
                        {
                            if (Stopwatch.GetTimestamp() - start > SpinTicks) break;
                            Thread.Yield();   // lets another runnable thread of this core go first (the machine is shared)
                        }
                        else
                        {
                            Thread.SpinWait(4);
                        }
                    }
                    Interlocked.Exchange(ref _sleeping, 1);
                    int now = GenerationOf(Volatile.Read(ref _state));
                    if (now == _seenGeneration) _wake.Wait();
                    _wake.Reset();
                    Interlocked.Exchange(ref _sleeping, 0);
                }
            }
        }
    }
}
