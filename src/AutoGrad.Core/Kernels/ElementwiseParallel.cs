using System.Numerics;
using System.Runtime.ExceptionServices;

namespace AutoGrad.Kernels;

/// <summary>
/// Runs an elementwise kernel (unary, binary in its three contiguous forms, or derivative) over long spans on the
/// calling thread and a few persistent workers, allocating nothing per call.
/// </summary>
/// <remarks>
/// <para>
/// A span of at least <see cref="Threshold"/> elements is cut into chunks that the caller and the workers claim
/// with an interlocked counter, so a worker that wakes late only takes fewer chunks, or none. The job is a function
/// pointer to a static generic body plus the pinned addresses (spans cannot cross threads), so dispatch needs no
/// delegate or closure.
/// </para>
/// <para>
/// Chunk boundaries are multiples of <see cref="Grain"/> elements from the start of the span: whole 64-byte
/// lines, so that two threads share a cache line only if the array itself is misaligned, and the very positions at
/// which the kernels that work in 256-element stack chunks (softplus, the staged derivatives) start a chunk in a
/// single-threaded run. Every element therefore goes through the same instructions as it would on one thread,
/// and the result is bit-identical.
/// </para>
/// <para>
/// One job runs at a time: a call made while another is in flight (from a second user thread, or from inside a
/// kernel on a worker) runs single-threaded instead of waiting, so nothing can deadlock.
/// </para>
/// </remarks>
internal static unsafe class ElementwiseParallel
{
    /// <summary>
    /// Spans at least this long are split. Measured on 2 cores (AVX-512), float32, worker awake: the split already
    /// pays from 8192 elements for tanh, exp and products (tanh 48.6 → 25.0 µs, product 9.7 → 5.7 µs at 65536), but
    /// a worker that has gone to sleep costs the caller up to 10–30 µs to wake, which a product of fewer than 65536
    /// elements does not earn back. Settable so that measurements can move it.
    /// </summary>
    public static int Threshold = 1 << 16;

    /// <summary>Chunk boundaries fall on multiples of this many elements (a multiple of 64 bytes in float and double).</summary>
    private const int Grain = 256;

    /// <summary>At most this many threads, the caller included, share a job.</summary>
    private const int MaxThreads = 4;

    /// <summary>Chunks per thread: a few, so that a worker that starts late or is preempted leaves its share to others.</summary>
    private const int ChunksPerThread = 4;

    /// <summary>One call's work: the body over [lo, hi) and the addresses it reads (0 for an empty operand).</summary>
    private struct Job
    {
        public delegate*<in Job, int, int, void> Body;
        public nint A, B, C, D;
        public long Scalar;
        public int Length, ChunkLength, Chunks;
    }

    private static readonly int Threads = Math.Clamp(Environment.ProcessorCount, 1, MaxThreads);

    // The job in flight and its bookkeeping; written only by the caller that holds `busy`.
    private static Job current;
    private static int nextChunk;
    private static int jobOpen;
    private static int activeWorkers;
    private static int busy;
    private static ExceptionDispatchInfo? failure;
    private static Worker[]? workers;

    /// <summary>y = K(x), split when long.</summary>
    public static void Unary<K, T>(ReadOnlySpan<T> x, Span<T> y) where K : IUnaryKernel where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = x.Length;
        if (n < Threshold || Threads < 2 || y.Length < n) { K.Run(x, y); return; }
        fixed (T* px = x, py = y)
        {
            var job = new Job { Body = &Bodies<T>.Unary<K>, A = (nint)px, D = (nint)py, Length = n };
            Execute(ref job);
        }
    }

    /// <summary>d = K.VV(x, y), split when long.</summary>
    public static void VV<K, T>(ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where K : IBinaryKernel where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = x.Length;
        if (n < Threshold || Threads < 2 || y.Length != n || d.Length < n) { K.VV(x, y, d); return; }
        fixed (T* px = x, py = y, pd = d)
        {
            var job = new Job { Body = &Bodies<T>.VV<K>, A = (nint)px, B = (nint)py, D = (nint)pd, Length = n };
            Execute(ref job);
        }
    }

    /// <summary>d = K.VS(x, s), split when long.</summary>
    public static void VS<K, T>(ReadOnlySpan<T> x, T s, Span<T> d) where K : IBinaryKernel where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = x.Length;
        if (n < Threshold || Threads < 2 || d.Length < n) { K.VS(x, s, d); return; }
        fixed (T* px = x, pd = d)
        {
            var job = new Job { Body = &Bodies<T>.VS<K>, A = (nint)px, D = (nint)pd, Length = n };
            *(T*)&job.Scalar = s;
            Execute(ref job);
        }
    }

    /// <summary>d = K.SV(s, y), split when long.</summary>
    public static void SV<K, T>(T s, ReadOnlySpan<T> y, Span<T> d) where K : IBinaryKernel where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = y.Length;
        if (n < Threshold || Threads < 2 || d.Length < n) { K.SV(s, y, d); return; }
        fixed (T* py = y, pd = d)
        {
            var job = new Job { Body = &Bodies<T>.SV<K>, B = (nint)py, D = (nint)pd, Length = n };
            *(T*)&job.Scalar = s;
            Execute(ref job);
        }
    }

    /// <summary>d = K(g, x, y), split when long; x or y may be empty when K ignores it, and d may be g.</summary>
    public static void Derivative<K, T>(ReadOnlySpan<T> g, ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d)
        where K : IDerivativeKernel where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = g.Length;
        if (n < Threshold || Threads < 2 || d.Length < n || (x.Length != 0 && x.Length != n) || (y.Length != 0 && y.Length != n))
        {
            K.Run(g, x, y, d);
            return;
        }
        fixed (T* pg = g, px = x, py = y, pd = d)
        {
            // An empty operand pins to null; the body hands the kernel an empty span for it.
            var job = new Job { Body = &Bodies<T>.Derivative<K>, A = (nint)pg, B = (nint)px, C = (nint)py, D = (nint)pd, Length = n };
            Execute(ref job);
        }
    }

    /// <summary>The per-chunk bodies: rebuild the spans of [lo, hi) from the job's addresses and run the kernel.</summary>
    private static class Bodies<T> where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static void Unary<K>(in Job j, int lo, int hi) where K : IUnaryKernel =>
            K.Run(new ReadOnlySpan<T>((T*)j.A + lo, hi - lo), new Span<T>((T*)j.D + lo, hi - lo));

        public static void VV<K>(in Job j, int lo, int hi) where K : IBinaryKernel =>
            K.VV(new ReadOnlySpan<T>((T*)j.A + lo, hi - lo), new ReadOnlySpan<T>((T*)j.B + lo, hi - lo), new Span<T>((T*)j.D + lo, hi - lo));

        public static void VS<K>(in Job j, int lo, int hi) where K : IBinaryKernel
        {
            long s = j.Scalar;
            K.VS(new ReadOnlySpan<T>((T*)j.A + lo, hi - lo), *(T*)&s, new Span<T>((T*)j.D + lo, hi - lo));
        }

        public static void SV<K>(in Job j, int lo, int hi) where K : IBinaryKernel
        {
            long s = j.Scalar;
            K.SV(*(T*)&s, new ReadOnlySpan<T>((T*)j.B + lo, hi - lo), new Span<T>((T*)j.D + lo, hi - lo));
        }

        public static void Derivative<K>(in Job j, int lo, int hi) where K : IDerivativeKernel =>
            K.Run(new ReadOnlySpan<T>((T*)j.A + lo, hi - lo),
                j.B == 0 ? default : new ReadOnlySpan<T>((T*)j.B + lo, hi - lo),
                j.C == 0 ? default : new ReadOnlySpan<T>((T*)j.C + lo, hi - lo),
                new Span<T>((T*)j.D + lo, hi - lo));
    }

    /// <summary>
    /// Runs <paramref name="body"/>(<paramref name="context"/>, i) for every i in [0, <paramref name="count"/>) on the
    /// caller and the workers: a Parallel.For that allocates nothing, for kernels (the packed GEMM) whose parts are
    /// coarse. <paramref name="context"/> is the address of the caller's arguments, which stay put because the caller
    /// waits for every part.
    /// </summary>
    public static void For(int count, delegate*<nint, int, void> body, nint context)
    {
        var job = new Job { Body = &ForBody, A = (nint)body, B = context, Length = count };
        if (count <= 1) ForBody(in job, 0, count);
        else Execute(ref job, grain: 1);
    }

    private static void ForBody(in Job j, int lo, int hi)
    {
        var f = (delegate*<nint, int, void>)j.A;
        for (int i = lo; i < hi; i++) f(j.B, i);
    }

    /// <summary>Runs the job on the caller and the workers, or on the caller alone if another job is in flight.</summary>
    private static void Execute(ref Job job, int grain = Grain)
    {
        if (Interlocked.CompareExchange(ref busy, 1, 0) != 0)
        {
            job.Body(in job, 0, job.Length);
            return;
        }
        try
        {
            workers ??= StartWorkers();
            int perChunk = (job.Length + Threads * ChunksPerThread - 1) / (Threads * ChunksPerThread);
            job.ChunkLength = (perChunk + grain - 1) / grain * grain;
            job.Chunks = (job.Length + job.ChunkLength - 1) / job.ChunkLength;
            current = job;
            nextChunk = 0;
            failure = null;
            Interlocked.Exchange(ref jobOpen, 1);
            foreach (var w in workers) w.Signal();
            try
            {
                Drain();
            }
            finally
            {
                // Close the job, then wait out the workers inside it: the spans stay pinned and the job slot taken
                // until they leave. A worker that wakes after the close sees it and touches nothing, so a late
                // wake-up costs the caller nothing (a worker enters by counting itself, then checks the job is
                // open; the caller closes, then reads the count: one of the two sees the other).
                Interlocked.Exchange(ref jobOpen, 0);
                var spin = new SpinWait();
                while (Volatile.Read(ref activeWorkers) != 0) spin.SpinOnce(sleep1Threshold: -1);
            }
            failure?.Throw();
        }
        finally
        {
            Volatile.Write(ref busy, 0);
        }
    }

    /// <summary>Claims and runs chunks of the current job until none is left.</summary>
    private static void Drain()
    {
        ref readonly Job job = ref current;
        int c;
        while ((c = Interlocked.Increment(ref nextChunk) - 1) < job.Chunks)
        {
            int lo = c * job.ChunkLength;
            job.Body(in job, lo, Math.Min(job.Length, lo + job.ChunkLength));
        }
    }

    private static Worker[] StartWorkers()
    {
        var ws = new Worker[Threads - 1];
        for (int i = 0; i < ws.Length; i++) ws[i] = new Worker(i);
        return ws;
    }

    /// <summary>
    /// A background thread that drains each job it is signalled for. Between jobs it spins for a while before it
    /// blocks: backward passes issue elementwise kernels back to back, and waking a blocked thread costs tens of
    /// microseconds on a virtual machine, as much as a kernel on 100k elements.
    /// </summary>
    private sealed class Worker
    {
        /// <summary>How long an idle worker spins before it blocks (in Stopwatch ticks, about 250 µs).</summary>
        private static readonly long SpinTicks = System.Diagnostics.Stopwatch.Frequency / 4000;

        private readonly ManualResetEventSlim wake = new(false, 0);
        private int signalled;
        private int sleeping;

        public Worker(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = FormattableString.Invariant($"AutoGrad elementwise {index + 1}") };
            thread.Start();
        }

        /// <summary>Hands the worker the current job; the event is set only if it may be blocked.</summary>
        public void Signal()
        {
            // Both sides write their own flag with a full fence and then read the other's (Dekker), so either the
            // worker sees the signal before it blocks or this call sees it asleep and sets the event.
            Interlocked.Exchange(ref signalled, 1);
            if (Volatile.Read(ref sleeping) == 1) wake.Set();
        }

        private void Loop()
        {
            while (true)
            {
                if (!SpinForSignal())
                {
                    // An event set for a job the worker then caught by spinning is stale: clear it before sleeping.
                    wake.Reset();
                    Interlocked.Exchange(ref sleeping, 1);
                    if (Volatile.Read(ref signalled) == 0) wake.Wait();
                    Interlocked.Exchange(ref sleeping, 0);
                    if (Volatile.Read(ref signalled) == 0) continue;
                }
                Volatile.Write(ref signalled, 0);
                Interlocked.Increment(ref activeWorkers);
                try
                {
                    if (Volatile.Read(ref jobOpen) == 1) Drain();
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref failure, ExceptionDispatchInfo.Capture(e), null);
                }
                finally
                {
                    Interlocked.Decrement(ref activeWorkers);
                }
            }
        }

        private bool SpinForSignal()
        {
            long until = System.Diagnostics.Stopwatch.GetTimestamp() + SpinTicks;
            while (Volatile.Read(ref signalled) == 0)
            {
                if (System.Diagnostics.Stopwatch.GetTimestamp() > until) return false;
                Thread.SpinWait(20);
            }
            return true;
        }
    }
}
