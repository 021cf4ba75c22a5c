using System.Collections.Concurrent;
using OpenVdi.Tests.Infrastructure;

namespace OpenVdi.Tests.Idiomatic;

/// <summary>
/// Plays SQL Server's part on one device of a <see cref="Loopback"/>, on a thread of its own, as the engine would:
/// a pool of buffers, several commands in flight, the completion routines recording every outcome. Every command
/// it sent is kept, in sending order, with its completion.
/// </summary>
internal sealed class ServerScript
{
    private const int WaitMs = 10000;

    private readonly Loopback _loopback;
    private readonly int _device;
    private readonly BlockingCollection<nint> _free = [];
    private readonly List<VdsCommand> _sent = [];
    private readonly List<byte[]?> _readData = [];
    private readonly HashSet<VdsCommand> _completed = [];
    private int _outstanding;
    private int _failed;

    public ServerScript(Loopback loopback, int device = 0, int buffers = 4, uint bufferSize = 65536)
    {
        _loopback = loopback;
        _device = device;
        for (int i = 0; i < buffers; i++)
        {
            _free.Add(loopback.Allocate(bufferSize));
        }
    }

    /// <summary>Every command sent, in order; complete once the script's task finished.</summary>
    public IReadOnlyList<VdsCommand> Sent => _sent;

    /// <summary>Whether <paramref name="command"/>, one the script sent, has completed (its routine ran).</summary>
    public bool HasCompleted(VdsCommand command)
    {
        lock (_sent)
        {
            return _completed.Contains(command);
        }
    }

    /// <summary>The first command of <paramref name="code"/> sent so far, or null.</summary>
    public VdsCommand? FirstSent(VdCommandCode code)
    {
        lock (_sent)
        {
            return _sent.FirstOrDefault(c => c.CommandCode == code);
        }
    }

    /// <summary>Whether any command completed with a code other than ERROR_SUCCESS.</summary>
    public bool Failed => Volatile.Read(ref _failed) != 0;

    /// <summary>
    /// A BACKUP: <paramref name="data"/> as VDC_Write commands of the sizes in <paramref name="sizes"/> (cycled), a
    /// VDC_Flush after every <paramref name="flushEvery"/> writes and at the end, VDC_Complete if asked, then the
    /// device closed once every command completed. Stops sending at the first failed completion, as SQL Server does.
    /// </summary>
    public static ServerScript Backup(Loopback loopback, byte[] data, int[] sizes, out Task run, int flushEvery = 0, bool complete = true, int buffers = 4)
    {
        var script = new ServerScript(loopback, buffers: buffers);
        run = Task.Factory.StartNew(() => script.RunBackup(data, sizes, flushEvery, complete), TaskCreationOptions.LongRunning);
        return script;
    }

    /// <summary>
    /// A RESTORE: VDC_Read commands of the sizes in <paramref name="sizes"/> (cycled), until one completes with
    /// ERROR_HANDLE_EOF or fails, and no more than needed to ask for <paramref name="totalBytes"/> and then meet the
    /// end; then the device closed once every command completed. The bytes each read transferred are kept, in order,
    /// for <see cref="ReadBytes"/>.
    /// </summary>
    /// <remarks>Stopping at the read that meets the end keeps reads from being queued behind the EOF completion, as SQL Server does.</remarks>
    public static ServerScript Restore(Loopback loopback, int[] sizes, out Task run, long totalBytes, int buffers = 4)
    {
        var script = new ServerScript(loopback, buffers: buffers);
        run = Task.Factory.StartNew(() => script.RunRestore(sizes, totalBytes), TaskCreationOptions.LongRunning);
        return script;
    }

    /// <summary>The bytes the client's reads delivered, in sending order.</summary>
    public byte[] ReadBytes()
    {
        lock (_sent)
        {
            return _readData.Where(b => b is not null).SelectMany(b => b!).ToArray();
        }
    }

    /// <summary>Sends one command without a buffer, recording it.</summary>
    public VdsCommand Send(VdCommandCode code, uint size = 0) => SendTracked(code, size, 0);

    /// <summary>Sends one VDC_Read of <paramref name="size"/> bytes in a buffer of the pool, recording it.</summary>
    public VdsCommand SendRead(uint size) => SendTracked(VdCommandCode.VDC_Read, size, TakeBuffer());

    /// <summary>Waits until every command sent has completed.</summary>
    public void WaitIdle()
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(WaitMs);
        lock (_sent)
        {
            while (_outstanding > 0)
            {
                var left = deadline - DateTime.UtcNow;
                Assert.True(left > TimeSpan.Zero, $"{_outstanding} commands never completed.");
                Monitor.Wait(_sent, left);
            }
        }
    }

    public void CloseDevice() => Assert.Equal(VdiResult.NOERROR, _loopback.ServerDevices[_device]!.CloseDevice());

    private void RunBackup(byte[] data, int[] sizes, int flushEvery, bool complete)
    {
        int offset = 0;
        int writes = 0;
        while (offset < data.Length && !Failed)
        {
            int size = Math.Min(sizes[writes % sizes.Length], data.Length - offset);
            nint buffer = TakeBuffer();
            if (Failed)
            {
                _free.Add(buffer);
                break;
            }

            data.AsSpan(offset, size).CopyTo(_loopback.Server.GetBufferSpan(buffer, size));
            SendTracked(VdCommandCode.VDC_Write, (uint)size, buffer);
            offset += size;
            writes++;
            if (flushEvery > 0 && writes % flushEvery == 0 && !Failed)
            {
                SendTracked(VdCommandCode.VDC_Flush, 0, 0);
            }
        }

        if (!Failed)
        {
            SendTracked(VdCommandCode.VDC_Flush, 0, 0);
        }

        if (complete && !Failed)
        {
            SendTracked(VdCommandCode.VDC_Complete, 0, 0);
        }

        WaitIdle();
        CloseDevice();
    }

    private void RunRestore(int[] sizes, long totalBytes)
    {
        long requested = 0;
        for (int reads = 0; !Failed && requested <= totalBytes; reads++)
        {
            nint buffer = TakeBuffer();
            if (Failed)
            {
                _free.Add(buffer);
                break;
            }

            int size = sizes[reads % sizes.Length];
            SendTracked(VdCommandCode.VDC_Read, (uint)size, buffer);
            requested += size;
        }

        WaitIdle();
        CloseDevice();
    }

    private nint TakeBuffer()
    {
        // A failure stops the script; the buffers of commands flushed by it come back through their routines.
        while (true)
        {
            if (_free.TryTake(out nint buffer, 50))
            {
                return buffer;
            }

            lock (_sent)
            {
                Assert.True(_outstanding > 0 || _free.Count > 0, "No buffer is free and none is in flight.");
            }
        }
    }

    private VdsCommand SendTracked(VdCommandCode code, uint size, nint buffer)
    {
        var command = new VdsCommand { CommandCode = code, Size = size, Buffer = buffer, CompletionRoutine = OnCompleted };
        lock (_sent)
        {
            command.CompletionContext = _sent.Count;
            _sent.Add(command);
            _readData.Add(null);
            _outstanding++;
        }

        var result = _loopback.ServerDevices[_device]!.SendCommand(command);

        // A refused send (IO-ERROR, abort) has run the routine already, here.
        Assert.True(result is VdiResult.NOERROR or VdiResult.VD_E_IO_ERROR or VdiResult.VD_E_ABORT, $"SendCommand returned {result}.");
        return command;
    }

    private void OnCompleted(VdsCommand command)
    {
        byte[]? read = null;
        if (command.CommandCode == VdCommandCode.VDC_Read && command.BytesTransferred > 0)
        {
            read = _loopback.Server.GetBufferSpan(command.Buffer, (int)command.BytesTransferred).ToArray();
        }

        if (command.CompletionCode != Win32Error.ERROR_SUCCESS)
        {
            Volatile.Write(ref _failed, 1);
        }

        if (command.Buffer != 0)
        {
            _free.Add(command.Buffer);
        }

        lock (_sent)
        {
            _readData[(int)command.CompletionContext!] = read;
            _completed.Add(command);
            _outstanding--;
            Monitor.PulseAll(_sent);
        }
    }
}
