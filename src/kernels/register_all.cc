#include <cstdio>
#include <cstdlib>

#include "kernels/kernels_internal.h"
#include "tfport/kernels/kernels.h"

#include "tfport/graph/ops.h"
#include "tfport/tf/variable.pb.h"

namespace tfport::kernels {

void MustRegister(KernelRegistry& r, const std::string& op, runtime::KernelFactory factory) {
  Status s = r.Register(op, std::move(factory));
  if (!s.ok()) {
    std::fprintf(stderr, "tfport: bad kernel registration: %s\n", s.ToString().c_str());
    std::abort();
  }
}

void MustReplace(KernelRegistry& r, const std::string& op, runtime::KernelFactory factory) {
  Status s = r.Replace(op, std::move(factory));
  if (!s.ok()) {
    std::fprintf(stderr, "tfport: bad kernel registration: %s\n", s.ToString().c_str());
    std::abort();
  }
}

namespace {

KernelRegistry* NewRegistry() {
  auto* r = new KernelRegistry();
  for (auto fn : {RegisterBaseKernels, RegisterStateKernels, RegisterControlFlowKernels,
                  RegisterMathKernels, RegisterArrayKernels, RegisterNnKernels,
                  RegisterDataFlowKernels, RegisterIoKernels, RegisterTrainingKernels,
                  RegisterRandomKernels, RegisterParsingKernels, RegisterFunctionKernels,
                  RegisterListKernels, RegisterStringKernels})
    fn(*r);
  return r;
}

}  // namespace

const runtime::KernelRegistry& DefaultKernels() {
  static const KernelRegistry* registry = NewRegistry();
  return *registry;
}

const runtime::KernelRegistry& ReferenceKernels() {
  static const KernelRegistry* registry = [] {
    KernelRegistry* r = NewRegistry();
    UseReferenceNnKernels(*r);
    r->ClearFusionRules();
    return r;
  }();
  return *registry;
}

std::unique_ptr<runtime::Session> NewSession(const graph::Graph& graph,
                                             runtime::SessionOptions options) {
  if (options.kernels == nullptr) options.kernels = &DefaultKernels();
  return std::make_unique<runtime::Session>(graph, options);
}

Result<std::vector<std::string>> ReportUninitializedVariables(runtime::Session& session,
                                                             graph::Graph& graph) {
  std::vector<tf::VariableDef> vars = ops::GlobalVariables(graph);
  std::vector<std::string> fetches, names;
  for (const auto& v : vars) {
    std::string var_node, check_name;
    int index;
    TFPORT_RETURN_IF_ERROR(graph::ParseTensorName(v.variable_name(), &var_node, &index));
    check_name = "report_uninitialized_variables/" + var_node + "/is_initialized";
    if (graph.FindNode(check_name) == nullptr) {
      TFPORT_ASSIGN_OR_RETURN(graph::Output var, graph.GetTensorByName(v.variable_name()));
      graph::Graph::NameScope root(graph, "");
      ops::Op(graph, {var.dtype() == DT_RESOURCE ? "VarIsInitializedOp" : "IsVariableInitialized",
                      {var}, {}, {}, check_name + "/"});
      TFPORT_RETURN_IF_ERROR(graph.status());
    }
    fetches.push_back(check_name + ":0");
    names.push_back(var_node);
  }
  std::vector<Tensor> out;
  TFPORT_RETURN_IF_ERROR(session.Run({}, fetches, {}, &out));
  std::vector<std::string> uninitialized;
  for (size_t i = 0; i < out.size(); ++i)
    if (!out[i].scalar<bool>()) uninitialized.push_back(names[i]);
  return uninitialized;
}

}  // namespace tfport::kernels
