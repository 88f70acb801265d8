// TEMPORARY (development only): libm through builtins, until math.h lands.
static inline double hp_exp(double x) { return __builtin_exp(x); }
static inline float hp_exp(float x) { return __builtin_expf(x); }
static inline double hp_log(double x) { return __builtin_log(x); }
static inline float hp_log(float x) { return __builtin_logf(x); }
static inline double hp_log1p(double x) { return __builtin_log1p(x); }
static inline float hp_log1p(float x) { return __builtin_log1pf(x); }
static inline double hp_tanh(double x) { return __builtin_tanh(x); }
static inline float hp_tanh(float x) { return __builtin_tanhf(x); }
static inline double hp_pow(double x, double y) { return __builtin_pow(x, y); }
static inline float hp_pow(float x, float y) { return __builtin_powf(x, y); }
static inline double hp_sigmoid(double x) { return x >= 0 ? 1 / (1 + hp_exp(-x)) : hp_exp(x) / (1 + hp_exp(x)); }
static inline float hp_sigmoid(float x) { return x >= 0 ? 1 / (1 + hp_exp(-x)) : hp_exp(x) / (1 + hp_exp(x)); }
static inline double hp_softplus(double x) { return x > 0 ? x + hp_log1p(hp_exp(-x)) : hp_log1p(hp_exp(x)); }
static inline float hp_softplus(float x) { return x > 0 ? x + hp_log1p(hp_exp(-x)) : hp_log1p(hp_exp(x)); }
