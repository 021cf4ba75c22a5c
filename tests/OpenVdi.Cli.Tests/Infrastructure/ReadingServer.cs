using System.Diagnostics;

namespace OpenVdi.Cli.Tests.Infrastructure;

/// <summary>
/// SQL Server's side of a RESTORE on the faithful server API, kept simple: one VDC_Read in flight per device, so
/// the end of a stream (ERROR_HANDLE_EOF with a short count) is always the last command the device gets.
/// <see cref="StreamingServer"/> keeps a window of reads in flight and fails the device when one is refused after
/// the client's EOF (VD_E_IO_ERROR), which a client answering EOF makes happen.
/// </summary>
public sealed class ReadingServer : IDisposable
{
    private readonly ServerVirtualDeviceSet _set = new();
    private readonly List<IServerVirtualDevice> _devices = [];
    private readonly List<nint> _buffers = [];
    private uint _transferSize;

    public ServerVirtualDeviceSet Set => _set;

    /// <summary>Opens the client's set (waiting for it to appear), configures it for reading, opens every device.</summary>
    public static ReadingServer Open(string setName, IReadOnlyList<string> otherDevices, uint blockSize, uint maxTransferSize)
    {
        var server = new ReadingServer { _transferSize = maxTransferSize };
        try
        {
            var clock = Stopwatch.StartNew();
            VdiResult result;
            while ((result = server._set.Open(null, setName)) == VdiResult.VD_E_INVALID && clock.Elapsed < TimeSpan.FromSeconds(10))
            {
                Thread.Yield();
            }

            Check(result, "Open");
            Check(server._set.GetConfiguration(out var requested), "GetConfiguration");
            Check(server._set.BeginConfiguration(requested.Features | VdFeatures.VDF_ReadMedia, blockSize, 0, maxTransferSize, 0), "BeginConfiguration");
            Check(server._set.RequestBuffers(maxTransferSize, 0, requested.DeviceCount), "RequestBuffers");
            Check(server._set.EndConfiguration(), "EndConfiguration");
            for (int i = 0; i < requested.DeviceCount; i++)
            {
                Check(server._set.AllocateBuffer(out nint buffer, maxTransferSize, 0), "AllocateBuffer");
                server._buffers.Add(buffer);
                Check(server._set.OpenDevice(i == 0 ? setName : otherDevices[i - 1], out var device), "OpenDevice");
                server._devices.Add(device!);
            }

            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>Reads every device to its end, on a thread each; returns the streams, or the first failure.</summary>
    public (byte[][] Streams, string? Failure) ReadAll()
    {
        var agent = new Thread(() => _set.ExecuteCompletionAgent()) { IsBackground = true };
        agent.Start();
        var streams = new byte[_devices.Count][];
        var failures = new string?[_devices.Count];
        var threads = Enumerable.Range(0, _devices.Count).Select(i => new Thread(() => (streams[i], failures[i]) = ReadDevice(i)) { IsBackground = true }).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        agent.Join();
        return (streams, failures.FirstOrDefault(f => f is not null));
    }

    public void Dispose() => _set.Dispose();

    private (byte[] Stream, string? Failure) ReadDevice(int index)
    {
        using var stream = new MemoryStream();
        using var done = new SemaphoreSlim(0);
        var command = new VdsCommand { Buffer = _buffers[index], CompletionRoutine = _ => done.Release() };
        string? failure = null;
        while (true)
        {
            command.CommandCode = VdCommandCode.VDC_Read;
            command.Size = _transferSize;
            var sent = _devices[index].SendCommand(command);
            if (sent != VdiResult.NOERROR)
            {
                failure = $"device {index}: SendCommand {sent}";
                break;
            }

            done.Wait();
            bool eof = command.CompletionCode is Win32Error.ERROR_HANDLE_EOF or Win32Error.ERROR_NO_DATA_DETECTED;
            if (command.CompletionCode != Win32Error.ERROR_SUCCESS && !eof)
            {
                failure = $"device {index}: a read completed with {command.CompletionCode}";
                break;
            }

            stream.Write(_set.GetBufferSpan(command.Buffer, (int)command.BytesTransferred));
            if (eof || command.BytesTransferred < command.Size)
            {
                break;
            }
        }

        _devices[index].CloseDevice();
        return (stream.ToArray(), failure);
    }

    private static void Check(VdiResult result, string call)
    {
        if (result != VdiResult.NOERROR)
        {
            throw new VdiException(result, $"{call} failed");
        }
    }
}
