// The consumer of vdi bench's drop-in column: what OpenVdiThroughput and OpenVdiLatency do in managed code, done by a
// C++ client through libsqlvdi.so (OpenVdi's drop-in for Microsoft's library), so that the two columns measure the
// same work and differ only by the native ABI layer.
//
//   drop_in_bench_client throughput <set> <streams>
//       One device per stream, each on its own thread: GetCommand, a checksum of every Write's buffer in place,
//       CompleteCommand. Prints "created", then "done <bytes> <checksum, hex> <nanoseconds>", the clock running from
//       the end of GetConfiguration to the last device's VD_E_CLOSE.
//   drop_in_bench_client latency <set>
//       One device: every command completed at once. Prints "created", then "done".
//
// Any other outcome prints "FAIL <why>" and exits 1.
#include <atomic>
#include <chrono>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "vdi.h"

namespace
{

[[noreturn]] void fail(const char* format, ...)
{
    va_list args;
    va_start(args, format);
    printf("FAIL ");
    vprintf(format, args);
    va_end(args);
    putchar('\n');
    fflush(stdout);
    _exit(1);
}

void expect(const char* call, int result, int expected)
{
    if (result != expected)
    {
        fail("%s returned 0x%08X, expected 0x%08X", call, (unsigned)result, (unsigned)expected);
    }
}

typedef uint64_t __attribute__((may_alias)) word;
typedef uint64_t __attribute__((vector_size(32), aligned(8), may_alias)) words4;

// The bench's checksum (Checksum.Of in the managed consumer), done the same way: a wrapping sum of the buffer's 64-bit
// words in two 256-bit accumulators, so that consecutive adds do not wait on each other, then the odd words. Built for
// AVX2 where the processor has it, as .NET's Vector<ulong> is.
__attribute__((target_clones("avx2", "default"))) uint64_t checksum(const uint8_t* data, size_t length)
{
    const words4* vectors = reinterpret_cast<const words4*>(data);
    size_t count = length / sizeof(words4);
    words4 a = {0, 0, 0, 0}, b = {0, 0, 0, 0};
    size_t i = 0;
    for (; i + 1 < count; i += 2)
    {
        a += vectors[i];
        b += vectors[i + 1];
    }

    if (i < count)
    {
        a += vectors[i];
    }

    words4 sum = a + b;
    uint64_t total = sum[0] + sum[1] + sum[2] + sum[3];
    const word* words = reinterpret_cast<const word*>(data);
    for (size_t w = count * 4; w < length / sizeof(word); w++)
    {
        total += words[w];
    }

    return total;
}

std::string device_name(const std::string& set, int device)
{
    return device == 0 ? set : set + "." + std::to_string(device);
}

struct Stream
{
    uint64_t bytes = 0;
    uint64_t checksum = 0;
};

void serve(ClientVirtualDeviceSet* vds, std::string name, Stream* stream)
{
    ClientVirtualDevice* device = nullptr;
    expect("OpenDevice", vds->OpenDevice(const_cast<char*>(name.c_str()), &device), NOERROR);
    for (;;)
    {
        VDC_Command* command = nullptr;
        int result = device->GetCommand(-1, &command);
        if (result == VD_E_CLOSE)
        {
            return;
        }

        expect("GetCommand", result, NOERROR);
        unsigned long moved = 0;
        if (command->commandCode == VDC_Write)
        {
            // In place: the bytes are read where the server wrote them.
            stream->checksum += checksum(command->buffer, (size_t)command->size);
            stream->bytes += (uint64_t)command->size;
            moved = (unsigned long)command->size;
        }

        expect("CompleteCommand", device->CompleteCommand(command, ERROR_SUCCESS, moved, 0), NOERROR);
    }
}

int throughput(const std::string& set, int streams)
{
    ClientVirtualDeviceSet vds;
    VDConfig config;
    memset(&config, 0, sizeof config);
    config.deviceCount = (uint32_t)streams;
    config.features = VDF_RequestComplete;
    expect("Create", vds.Create(const_cast<char*>(set.c_str()), &config), NOERROR);
    printf("created\n");
    fflush(stdout);
    expect("GetConfiguration", vds.GetConfiguration(-1, &config), NOERROR);

    auto started = std::chrono::steady_clock::now();
    std::vector<Stream> results((size_t)streams);
    std::vector<std::thread> threads;
    for (int i = 0; i < streams; i++)
    {
        threads.emplace_back(serve, &vds, device_name(set, i), &results[(size_t)i]);
    }

    uint64_t bytes = 0, sum = 0;
    for (int i = 0; i < streams; i++)
    {
        threads[(size_t)i].join();
        bytes += results[(size_t)i].bytes;
        sum += results[(size_t)i].checksum;
    }

    auto elapsed = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - started).count();
    expect("Close", vds.Close(), NOERROR);
    printf("done %llu %016llX %lld\n", (unsigned long long)bytes, (unsigned long long)sum, (long long)elapsed);
    fflush(stdout);
    return 0;
}

int latency(const std::string& set)
{
    ClientVirtualDeviceSet vds;
    VDConfig config;
    memset(&config, 0, sizeof config);
    config.deviceCount = 1;
    expect("Create", vds.Create(const_cast<char*>(set.c_str()), &config), NOERROR);
    printf("created\n");
    fflush(stdout);
    expect("GetConfiguration", vds.GetConfiguration(-1, &config), NOERROR);
    ClientVirtualDevice* device = nullptr;
    expect("OpenDevice", vds.OpenDevice(const_cast<char*>(set.c_str()), &device), NOERROR);
    int result;
    VDC_Command* command = nullptr;
    while ((result = device->GetCommand(-1, &command)) == NOERROR)
    {
        expect("CompleteCommand", device->CompleteCommand(command, ERROR_SUCCESS, 0, 0), NOERROR);
    }

    expect("GetCommand", result, VD_E_CLOSE);
    expect("Close", vds.Close(), NOERROR);
    printf("done\n");
    fflush(stdout);
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    if (argc == 4 && strcmp(argv[1], "throughput") == 0 && atoi(argv[3]) >= 1 && atoi(argv[3]) <= 64)
    {
        return throughput(argv[2], atoi(argv[3]));
    }

    if (argc == 3 && strcmp(argv[1], "latency") == 0)
    {
        return latency(argv[2]);
    }

    fail("usage: drop_in_bench_client throughput <set> <streams 1..64> | latency <set>");
}
