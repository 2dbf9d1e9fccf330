// device_buffer.h — owning device arrays for the harness (RAII, move-only): DeviceBuffer of
// floats, DeviceArray<int> for integer data (class targets).
#pragma once

#include <cstddef>
#include <vector>

#include "cuda_check.h"

namespace mnemo::harness {

template <typename T>
class DeviceArray {
 public:
  explicit DeviceArray(long long count) : count_(count) {
    // At least one element, so n = 0 cases still get a valid, distinct pointer.
    CHECK(cudaMalloc(&data_, allocated_bytes()));
  }
  ~DeviceArray() {
    if (data_ != nullptr) CHECK(cudaFree(data_));
  }
  DeviceArray(const DeviceArray&) = delete;
  DeviceArray& operator=(const DeviceArray&) = delete;
  DeviceArray(DeviceArray&& other) noexcept : data_(other.data_), count_(other.count_) {
    other.data_ = nullptr;
  }
  DeviceArray& operator=(DeviceArray&& other) noexcept {
    if (this != &other) {
      if (data_ != nullptr) CHECK(cudaFree(data_));
      data_ = other.data_;
      count_ = other.count_;
      other.data_ = nullptr;
    }
    return *this;
  }

  T* get() const { return data_; }
  long long count() const { return count_; }

  void upload(const std::vector<T>& host) {
    CHECK(cudaMemcpy(data_, host.data(), host.size() * sizeof(T), cudaMemcpyHostToDevice));
  }
  std::vector<T> download() const {
    std::vector<T> host(static_cast<std::size_t>(count_));
    CHECK(cudaMemcpy(host.data(), data_, host.size() * sizeof(T), cudaMemcpyDeviceToHost));
    return host;
  }

 private:
  std::size_t allocated_bytes() const {
    return static_cast<std::size_t>(count_ > 0 ? count_ : 1) * sizeof(T);
  }

  T* data_ = nullptr;
  long long count_;
};

using DeviceBuffer = DeviceArray<float>;

}  // namespace mnemo::harness
