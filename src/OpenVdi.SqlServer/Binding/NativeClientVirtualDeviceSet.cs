using System.Diagnostics;

namespace OpenVdi.SqlServer.Binding;

/// <summary>
/// <see cref="IClientVirtualDeviceSet2"/> over one object of Microsoft's library (<see cref="INativeSet"/>): every call
/// goes to the library, which answers it; around the calls this class keeps what .NET needs and the library cannot
/// give: which devices belong to the set now open, the commands they handed out (so that closing the set ends them),
/// the prefix zone, and the object's lifetime (released after the last call in flight).
/// </summary>
/// <remarks>
/// Beyond the library's own answers, it answers without calling the library: VD_E_INVALID for a name with a NUL
/// character (it cannot be passed as a C string), for a command object this set's device did not hand out, and for
/// more bytes transferred than a Read's or Write's size; for a command no longer outstanding VD_E_ABORT, VD_E_PROTOCOL
/// or VD_E_INVALID, as OpenVdi answers (its record is never passed again); VD_E_PROTOCOL from a device whose set has
/// closed. Methods may be called from any thread; after <see cref="Dispose"/> the set's methods throw
/// <see cref="ObjectDisposedException"/>.
/// </remarks>
internal sealed class NativeClientVirtualDeviceSet : IClientVirtualDeviceSet2, IDisposable
{
    private const int DisposedBit = 1 << 30;

    private readonly INativeSet _native;
    private readonly Lock _lock = new();
    private readonly List<NativeClientVirtualDevice> _devices = [];
    private int _calls;
    private int _generation;
    private uint _prefixZoneSize;

    public NativeClientVirtualDeviceSet(INativeSet native) => _native = native;

    /// <summary>Which library stands behind the set.</summary>
    public string Description => _native.Description;

    /// <summary>Counts set objects: a device records the one it was opened in, and answers VD_E_PROTOCOL after it.</summary>
    internal int Generation => Volatile.Read(ref _generation);

    /// <summary>The negotiated prefix zone: that many bytes precede every data buffer.</summary>
    internal uint PrefixZoneSize => Volatile.Read(ref _prefixZoneSize);

    /// <inheritdoc/>
    /// <exception cref="ObjectDisposedException">The object was disposed.</exception>
    public VdiResult Create(string name, in VdConfig config)
    {
        if (!IsCName(name))
        {
            return VdiResult.VD_E_INVALID;
        }

        var copy = config;
        using var call = Enter();
        lock (_lock)
        {
            return _native.Create(name, ref copy);
        }
    }

    /// <inheritdoc/>
    /// <exception cref="ObjectDisposedException">The object was disposed.</exception>
    public VdiResult CreateEx(string? instanceName, string name, in VdConfig config)
    {
        if (!IsCName(name) || (instanceName is not null && !IsCName(instanceName)))
        {
            return VdiResult.VD_E_INVALID;
        }

        var copy = config;
        using var call = Enter();
        lock (_lock)
        {
            return _native.CreateEx(instanceName, name, ref copy);
        }
    }

    /// <inheritdoc/>
    /// <exception cref="ObjectDisposedException">The object was disposed.</exception>
    public VdiResult OpenInSecondary(string setName)
    {
        if (!IsCName(setName))
        {
            return VdiResult.VD_E_INVALID;
        }

        using var call = Enter();
        lock (_lock)
        {
            return LearnConfiguration(_native.OpenInSecondary(setName));
        }
    }

    /// <inheritdoc/>
    /// <exception cref="ObjectDisposedException">The object was disposed.</exception>
    public VdiResult OpenInSecondaryEx(string? instanceName, string setName)
    {
        if (!IsCName(setName) || (instanceName is not null && !IsCName(instanceName)))
        {
            return VdiResult.VD_E_INVALID;
        }

        using var call = Enter();
        lock (_lock)
        {
            return LearnConfiguration(_native.OpenInSecondaryEx(instanceName, setName));
        }
    }

    /// <summary>
    /// After a secondary attached: the set is configured already (a secondary attaches only then), so GetConfiguration
    /// answers at once, and the prefix zone is known before the secondary's first command, as OpenVdi knows it.
    /// </summary>
    private VdiResult LearnConfiguration(VdiResult attached)
    {
        if (attached == VdiResult.NOERROR && _native.GetConfiguration(0, out var config) == VdiResult.NOERROR)
        {
            Volatile.Write(ref _prefixZoneSize, config.PrefixZoneSize);
        }

        return attached;
    }

    /// <inheritdoc/>
    /// <exception cref="ObjectDisposedException">The object was disposed.</exception>
    public VdiResult GetConfiguration(uint timeoutMs, out VdConfig config)
    {
        using var call = Enter();
        var result = _native.GetConfiguration(timeoutMs, out config);
        if (result == VdiResult.NOERROR)
        {
            Volatile.Write(ref _prefixZoneSize, config.PrefixZoneSize);
        }
        else
        {
            config = default;
        }

        return result;
    }

    /// <inheritdoc/>
    /// <exception cref="ObjectDisposedException">The object was disposed.</exception>
    public VdiResult OpenDevice(string name, out IClientVirtualDevice? device)
    {
        device = null;
        if (!IsCName(name))
        {
            return VdiResult.VD_E_INVALID;
        }

        using var call = Enter();
        int generation = Generation;
        var result = _native.OpenDevice(name, out var native);
        if (result != VdiResult.NOERROR)
        {
            return result;
        }

        var opened = new NativeClientVirtualDevice(this, native!, generation);
        lock (_lock)
        {
            // A device of a set closed meanwhile is already dead: it answers VD_E_PROTOCOL, and is let go now.
            if (generation == _generation)
            {
                _devices.Add(opened);
            }
            else
            {
                opened.Retire();
            }

            AssertInvariants();
        }

        device = opened;
        return VdiResult.NOERROR;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The devices of the set answer VD_E_PROTOCOL from the start of the call, and the commands they handed out are
    /// no longer outstanding (their buffers are about to go) before the library closes the set.
    /// </remarks>
    /// <exception cref="ObjectDisposedException">The object was disposed.</exception>
    public VdiResult Close()
    {
        using var call = Enter();
        lock (_lock)
        {
            return CloseUnsynchronized();
        }
    }

    private VdiResult CloseUnsynchronized()
    {
        Interlocked.Increment(ref _generation);
        foreach (var device in _devices)
        {
            device.EndCommands();
        }

        var result = _native.Close();
        foreach (var device in _devices)
        {
            device.Retire();
        }

        _devices.Clear();
        Volatile.Write(ref _prefixZoneSize, 0);
        AssertInvariants();
        return result;
    }

    /// <inheritdoc/>
    /// <exception cref="ObjectDisposedException">The object was disposed.</exception>
    public VdiResult SignalAbort()
    {
        using var call = Enter();
        return _native.SignalAbort();
    }

    /// <inheritdoc/>
    /// <exception cref="ObjectDisposedException">The object was disposed.</exception>
    public VdiResult GetBufferHandle(nint buffer, out uint bufferHandle)
    {
        using var call = Enter();
        return _native.GetBufferHandle(buffer, out bufferHandle);
    }

    /// <inheritdoc/>
    /// <exception cref="ObjectDisposedException">The object was disposed.</exception>
    public VdiResult MapBufferHandle(uint bufferHandle, out nint buffer)
    {
        using var call = Enter();
        return _native.MapBufferHandle(bufferHandle, out buffer);
    }

    /// <summary>
    /// Closes the set if one is open (aborting it when devices are still open, as Close does), then lets go of the
    /// library's object once no call is in flight: libsqlvdi.so's destructor runs and its memory is freed; sqlvdi.dll's
    /// COM object is released.
    /// </summary>
    public void Dispose()
    {
        if (!TryEnter())
        {
            return;
        }

        try
        {
            lock (_lock)
            {
                CloseUnsynchronized();
            }
        }
        finally
        {
            Exit();
        }

        if (Interlocked.Or(ref _calls, DisposedBit) == 0)
        {
            _native.Dispose();
        }
    }

    /// <summary>A device call: false (the device answers VD_E_PROTOCOL) once the object is disposed or its set closed.</summary>
    internal bool TryEnterDevice(int generation)
    {
        if (!TryEnter())
        {
            return false;
        }

        if (generation != Generation)
        {
            Exit();
            return false;
        }

        return true;
    }

    /// <summary>Ends a call entered with <see cref="TryEnterDevice"/>.</summary>
    internal void ExitDevice() => Exit();

    /// <summary>
    /// Whether the set is in the Abort state, asked of the library without side effects: GetConfiguration in a set
    /// whose device handed out a command (Initializing or later) answers at once, NOERROR or VD_E_ABORT.
    /// </summary>
    internal bool IsAbortedOnceActive() => _native.GetConfiguration(0, out _) == VdiResult.VD_E_ABORT;

    private static bool IsCName(string? name) => name is not null && !name.Contains('\0', StringComparison.Ordinal);

    private CallScope Enter() => TryEnter() ? new CallScope(this) : throw new ObjectDisposedException(GetType().Name, $"The virtual device set over {Description} was disposed.");

    private bool TryEnter()
    {
        while (true)
        {
            int calls = Volatile.Read(ref _calls);
            if ((calls & DisposedBit) != 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _calls, calls + 1, calls) == calls)
            {
                return true;
            }
        }
    }

    private void Exit()
    {
        // The last call out of a disposed object lets go of the library's object.
        if (Interlocked.Decrement(ref _calls) == DisposedBit)
        {
            _native.Dispose();
        }
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(_devices.TrueForAll(d => d.Generation == _generation), "Every device recorded belongs to the set now open.");
    }

    private readonly struct CallScope(NativeClientVirtualDeviceSet set) : IDisposable
    {
        public void Dispose() => set.Exit();
    }
}
