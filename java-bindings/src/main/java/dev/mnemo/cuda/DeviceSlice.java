package dev.mnemo.cuda;

/** A non-owning view of part of a {@link DeviceMemory}; see {@link DeviceMemory#slice}. */
record DeviceSlice(DeviceMemory parent, long offsetBytes, long byteSize) implements DeviceMemory {

    @Override
    public long address() {
        return parent.address() + offsetBytes;
    }

    @Override
    public String describe() {
        return parent.describe() + "[" + offsetBytes + ", +" + byteSize + " bytes]";
    }
}
