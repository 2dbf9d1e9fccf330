package dev.mnemo.cuda.kernels;

import dev.mnemo.cuda.DeviceMemory;
import dev.mnemo.cuda.LaunchGeometry;
import java.util.ArrayList;
import java.util.List;

/** A launch target that records launches instead of running them. */
final class RecordingTarget implements LaunchTarget {
    record Launch(KernelSignature kernel, LaunchGeometry geometry, List<Object> arguments) {
    }

    final List<Launch> launches = new ArrayList<>();
    final List<DeviceMemory> reads = new ArrayList<>();
    float nextRead = 5f;

    @Override
    public void launch(KernelSignature kernel, LaunchGeometry geometry, Object... arguments) {
        launches.add(new Launch(kernel, geometry, java.util.Collections.unmodifiableList(java.util.Arrays.asList(arguments.clone()))));
    }

    @Override
    public float readFloat(DeviceMemory source) {
        reads.add(source);
        return nextRead;
    }
}
