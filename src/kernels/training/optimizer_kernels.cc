// Optimizer update kernels: ApplyGradientDescent, ApplyMomentum, ApplyAdam
// and their Resource* forms, float and double.
//
// The variables an update touches (var and its slots, ref variables or
// resource variables) are locked together, in address order, for the whole
// update. Each new value is computed into a fresh tensor from the old one and
// then stored in the variable (copy-on-write, as state_kernels.cc does), so
// a value read earlier by another node never changes underneath it, and
// buffers shared with constants or checkpoints are never written.
#include <algorithm>
#include <cmath>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "kernels/nn/nn_internal.h"

namespace tfport::kernels::training {
namespace {

using runtime::ResourceVariable;

enum class Algo { kGradientDescent, kMomentum, kAdam };

// Input layout of each algorithm: the first num_vars inputs are variables,
// grad_index is the gradient, every other input is a scalar hyperparameter.
struct AlgoLayout {
  int num_vars;
  int grad_index;
  int num_inputs;
};

AlgoLayout LayoutOf(Algo a) {
  switch (a) {
    case Algo::kGradientDescent:
      return {1, 2, 3};  // var, alpha, delta
    case Algo::kMomentum:
      return {2, 3, 5};  // var, accum, lr, grad, momentum
    case Algo::kAdam:
      break;
  }
  return {3, 9, 10};  // var, m, v, beta1_power, beta2_power, lr, beta1, beta2, epsilon, grad
}

// The OpDef names of the node's inputs ("var", "m", "lr", ...).
std::vector<std::string> ArgNames(const graph::Node& node, int n) {
  std::vector<std::string> names;
  const tf::OpDef* def = node.op_def();
  for (int i = 0; i < n; ++i) {
    if (def != nullptr && i < def->input_arg_size()) {
      names.push_back(def->input_arg(i).name());
    } else {
      std::string name = "input ";
      name += std::to_string(i);
      names.push_back(std::move(name));
    }
  }
  return names;
}

Status NotInitialized(const ResourceHandle& h) {
  const std::string c = h.container.empty() ? "localhost" : h.container;
  return errors::FailedPrecondition("Error while reading resource variable ", h.name,
                                    " from Container: ", c,
                                    ". This could mean that the variable was uninitialized. Not "
                                    "found: Resource ", c, "/", h.name, "/Var does not exist.");
}

// The variables of one update, locked for the lifetime of this object.
class LockedVars {
 public:
  Status Acquire(OpKernelContext& ctx, const std::vector<std::string>& names, int n,
                 bool resource, DataType dtype) {
    refs_.assign(static_cast<size_t>(n), nullptr);
    res_.assign(static_cast<size_t>(n), nullptr);
    std::vector<std::mutex*> mus;
    for (int i = 0; i < n; ++i) {
      if (resource) {
        const Tensor& t = ctx.input(i);
        if (t.dtype() != DT_RESOURCE || t.num_elements() != 1)
          return errors::InvalidArgument(names[static_cast<size_t>(i)], " must be a scalar resource handle, got ",
                                         DataTypeName(t.dtype()), " ", t.shape().DebugString());
        const ResourceHandle& h = t.flat<ResourceHandle>()[0];
        auto var = ctx.resources().Lookup<ResourceVariable>(h.container, h.name);
        if (!var) return NotInitialized(h);
        if (var->dtype() != dtype)
          return errors::InvalidArgument("Trying to update variable ", h.name,
                                         " with wrong dtype. Expected ", NumpyName(var->dtype()),
                                         " got ", NumpyName(dtype));
        mus.push_back(&var->mu());
        handles_.push_back(h);
        res_[static_cast<size_t>(i)] = std::move(var);
      } else {
        RefVariable* ref = ctx.input_ref(i);
        if (ref == nullptr)
          return errors::InvalidArgument(names[static_cast<size_t>(i)], " (input ", i, ") must be a ref");
        mus.push_back(&ref->mu);
        refs_[static_cast<size_t>(i)] = ref;
      }
    }
    std::sort(mus.begin(), mus.end());
    mus.erase(std::unique(mus.begin(), mus.end()), mus.end());
    for (std::mutex* mu : mus) locks_.emplace_back(*mu);
    for (int i = 0; i < n; ++i) {
      const auto k = static_cast<size_t>(i);
      if (resource) {
        if (!res_[k]->initialized()) return NotInitialized(handles_[k]);
      } else if (!refs_[k]->initialized) {
        return errors::FailedPrecondition("Attempting to use uninitialized value ",
                                          refs_[k]->name);
      }
      if (value(i).dtype() != dtype)
        return errors::InvalidArgument(names[static_cast<size_t>(i)], " has dtype ",
                                       DataTypeName(value(i).dtype()), " but the node expects ",
                                       DataTypeName(dtype));
    }
    return OkStatus();
  }

  const Tensor& value(int i) const {
    const auto k = static_cast<size_t>(i);
    return refs_[k] != nullptr ? refs_[k]->value : res_[k]->value();
  }
  void set_value(int i, Tensor t) {
    const auto k = static_cast<size_t>(i);
    if (refs_[k] != nullptr) {
      refs_[k]->value = std::move(t);
    } else {
      res_[k]->set_value(std::move(t));
    }
  }
  RefVariable* ref(int i) const { return refs_[static_cast<size_t>(i)]; }
  // Unlocks every variable (set_output_ref takes the ref's lock itself).
  void Release() { locks_.clear(); }

 private:
  std::vector<RefVariable*> refs_;
  std::vector<std::shared_ptr<ResourceVariable>> res_;
  std::vector<ResourceHandle> handles_;
  std::vector<std::unique_lock<std::mutex>> locks_;
};

// The hyperparameters of one step, by input position.
template <typename T>
struct Scalars {
  T v[10] = {};
  T at(int i) const { return v[i]; }
};

// new_vars[k][i] from old_vars[k][i], the scalars and grad[i], over [begin, end).
template <typename T>
void UpdateRange(Algo algo, bool nesterov, const Scalars<T>& s, const T* const* old_vars,
                 T* const* new_vars, const T* grad, int64_t begin, int64_t end) {
  switch (algo) {
    case Algo::kGradientDescent: {
      const T alpha = s.at(1);
      for (int64_t i = begin; i < end; ++i) new_vars[0][i] = old_vars[0][i] - alpha * grad[i];
      return;
    }
    case Algo::kMomentum: {
      const T lr = s.at(2), momentum = s.at(4);
      for (int64_t i = begin; i < end; ++i) {
        const T accum = old_vars[1][i] * momentum + grad[i];
        new_vars[1][i] = accum;
        const T step = nesterov ? grad[i] * lr + accum * momentum * lr : lr * accum;
        new_vars[0][i] = old_vars[0][i] - step;
      }
      return;
    }
    case Algo::kAdam: {
      const T beta1_power = s.at(3), beta2_power = s.at(4), lr = s.at(5), beta1 = s.at(6),
              beta2 = s.at(7), epsilon = s.at(8);
      const T one(1);
      // The bias-corrected step size of this step.
      const T lr_t = lr * std::sqrt(one - beta2_power) / (one - beta1_power);
      for (int64_t i = begin; i < end; ++i) {
        const T g = grad[i];
        const T m = old_vars[1][i] + (g - old_vars[1][i]) * (one - beta1);
        const T v = old_vars[2][i] + (g * g - old_vars[2][i]) * (one - beta2);
        new_vars[1][i] = m;
        new_vars[2][i] = v;
        const T direction = nesterov ? m * beta1 + (one - beta1) * g : m;
        new_vars[0][i] = old_vars[0][i] - lr_t * direction / (std::sqrt(v) + epsilon);
      }
      return;
    }
  }
}

Result<std::unique_ptr<OpKernel>> MakeApply(const graph::Node& node, Algo algo, bool resource) {
  TFPORT_ASSIGN_OR_RETURN(DataType dtype, graph::GetTypeAttr(node.def(), "T"));
  if (dtype != DT_FLOAT && dtype != DT_DOUBLE) return runtime::NoKernelFor(node);
  bool nesterov = false;
  if (algo != Algo::kGradientDescent && graph::FindAttr(node.def(), "use_nesterov") != nullptr) {
    TFPORT_ASSIGN_OR_RETURN(nesterov, graph::GetBoolAttr(node.def(), "use_nesterov"));
  }
  const AlgoLayout layout = LayoutOf(algo);
  const std::vector<std::string> names = ArgNames(node, layout.num_inputs);
  const std::string op = node.op();
  return std::unique_ptr<OpKernel>(new FunctionKernel([=](OpKernelContext& ctx) -> Status {
    if (ctx.num_inputs() != layout.num_inputs)
      return errors::InvalidArgument(op, " expects ", layout.num_inputs, " inputs, got ",
                                     ctx.num_inputs());
    // Hyperparameters and gradient first: they need no lock.
    for (int i = layout.num_vars; i < layout.num_inputs; ++i) {
      const Tensor& t = ctx.input(i);
      if (t.dtype() != dtype)
        return errors::InvalidArgument(names[static_cast<size_t>(i)], " has dtype ", DataTypeName(t.dtype()),
                                       " but the node expects ", DataTypeName(dtype));
      if (i != layout.grad_index && t.shape().rank() != 0)
        return errors::InvalidArgument(names[static_cast<size_t>(i)], " is not a scalar: ",
                                       t.shape().DebugString());
    }
    const Tensor& grad = ctx.input(layout.grad_index);
    LockedVars vars;
    TFPORT_RETURN_IF_ERROR(vars.Acquire(ctx, names, layout.num_vars, resource, dtype));
    const Shape& var_shape = vars.value(0).shape();
    for (int k = 1; k < layout.num_vars; ++k)
      if (!(vars.value(k).shape() == var_shape))
        return errors::InvalidArgument("var and ", names[static_cast<size_t>(k)],
                                       " do not have the same shape", var_shape.DebugString(), " ",
                                       vars.value(k).shape().DebugString());
    if (!(grad.shape() == var_shape))
      return errors::InvalidArgument("var and ", names[static_cast<size_t>(layout.grad_index)],
                                     " do not have the same shape", var_shape.DebugString(), " ",
                                     grad.shape().DebugString());
    std::vector<Tensor> updated;
    for (int k = 0; k < layout.num_vars; ++k) {
      TFPORT_ASSIGN_OR_RETURN(Tensor t, Tensor::Allocate(dtype, var_shape, false));
      updated.push_back(std::move(t));
    }
    Status s = DispatchReal(dtype, [&]<typename T>() -> Status {
      if constexpr (std::is_floating_point_v<T>) {
        Scalars<T> sc;
        for (int i = layout.num_vars; i < layout.num_inputs; ++i)
          if (i != layout.grad_index) sc.v[i] = ctx.input(i).flat<T>()[0];
        const T* olds[3] = {};
        T* news[3] = {};
        for (int k = 0; k < layout.num_vars; ++k) {
          olds[k] = vars.value(k).flat<T>().data();
          news[k] = updated[static_cast<size_t>(k)].flat<T>().data();
        }
        const T* g = grad.flat<T>().data();
        nn::ParallelFor(ctx.intra_op_pool(), grad.num_elements(), 8 * layout.num_vars,
                        [&](int64_t b, int64_t e) {
                          UpdateRange<T>(algo, nesterov, sc, olds, news, g, b, e);
                        });
        return OkStatus();
      } else {
        return errors::Internal("unsupported dtype ", DataTypeName(dtype));
      }
    });
    TFPORT_RETURN_IF_ERROR(s);
    for (int k = 0; k < layout.num_vars; ++k)
      vars.set_value(k, std::move(updated[static_cast<size_t>(k)]));
    vars.Release();
    if (!resource) ctx.set_output_ref(0, vars.ref(0));
    return OkStatus();
  }));
}

runtime::KernelFactory Factory(Algo algo, bool resource) {
  return [algo, resource](const graph::Node& n) { return MakeApply(n, algo, resource); };
}

}  // namespace

void RegisterOptimizerKernels(KernelRegistry& r) {
  MustRegister(r, "ApplyGradientDescent", Factory(Algo::kGradientDescent, false));
  MustRegister(r, "ResourceApplyGradientDescent", Factory(Algo::kGradientDescent, true));
  MustRegister(r, "ApplyMomentum", Factory(Algo::kMomentum, false));
  MustRegister(r, "ResourceApplyMomentum", Factory(Algo::kMomentum, true));
  MustRegister(r, "ApplyAdam", Factory(Algo::kAdam, false));
  MustRegister(r, "ResourceApplyAdam", Factory(Algo::kAdam, true));
}

}  // namespace tfport::kernels::training
