"""Assemblers: one module per estimator family, registered explicitly here.

Importing this package imports every family module, which registers its estimator classes in
:mod:`skl2sql.assemblers.registry`. The package is grouped so a reader sees what is what:

- ``registry``, ``interface`` (what an assembler takes and returns), ``context`` (the state it
  builds with) and ``refusals`` (scikit-learn's refusals as NULL outputs): the assembler API.
- ``scikit_learn/``: scikit-learn's estimator families, one module each.
- ``libraries/``: adapters for other libraries' estimators (LightGBM, XGBoost, feature_engine,
  category_encoders, imbalanced-learn), registered only when the library is installed.
- ``shared/``: math several families use (kernels, tree layout, normal distribution, inverse
  transforms, preprocessing helpers).
"""

from __future__ import annotations

# Adapters for other libraries' estimators, registered only when the library is installed.
from .libraries import (  # noqa: F401
    feature_engine_numeric,  # feature_engine's transformations, discretisers, creation, when installed
    feature_engine_transformers,  # feature_engine's imputers, cappers and selectors, when installed
    imbalanced,  # imbalanced-learn's Pipeline (samplers skipped) and balanced ensembles, when installed
    lightgbm_models,  # LGBMClassifier/Regressor, lightgbm.Booster
    probed_encoders,  # category_encoders' and feature_engine's encoders, when installed
    xgboost_models,  # XGBClassifier/Regressor, xgboost.Booster
)
from .registry import assemble, predict, supported_classes, supported_estimators, transform

# scikit-learn's estimator families, one module each. Each registers its classes on import.
from .scikit_learn import (  # noqa: F401
    bagging,  # BaggingClassifier/Regressor, IsolationForest
    boosting,  # GradientBoosting*, HistGradientBoosting*, AdaBoost*
    calibration,  # CalibratedClassifierCV, IsotonicRegression
    cluster,  # KMeans, MiniBatchKMeans (predict: nearest centre; transform: distances)
    covariance,  # EllipticEnvelope
    decomposition,  # PCA, TruncatedSVD, ICA, FactorAnalysis, PLS/CCA and LDA transforms, projections
    discriminant,  # QuadraticDiscriminantAnalysis (LDA is linear)
    dummy,  # DummyClassifier, DummyRegressor
    encoders,  # OneHotEncoder, OrdinalEncoder, TargetEncoder
    expansions,  # PolynomialFeatures, SplineTransformer, KBinsDiscretizer
    gaussian_process,  # GaussianProcessRegressor (predictive mean)
    imputers,  # SimpleImputer, MissingIndicator
    kernel_approximation,  # Nystroem, RBFSampler, SkewedChi2Sampler
    kernel_ridge,  # KernelRidge
    linear,  # linear regressors and classifiers
    meta,  # OneVsRest, TransformedTargetRegressor, Voting, Stacking
    mixture,  # GaussianMixture, BayesianGaussianMixture
    multioutput,  # MultiOutputRegressor/Classifier, RegressorChain, ClassifierChain
    naive_bayes,  # GaussianNB, MultinomialNB, ComplementNB, BernoulliNB
    neural_network,  # MLPClassifier, MLPRegressor
    one_vs_one,  # OneVsOneClassifier (and the pairwise helpers of the SVMs)
    pipeline,  # Pipeline, ColumnTransformer, FeatureUnion
    scalers,  # StandardScaler, MinMaxScaler, MaxAbsScaler, RobustScaler
    search,  # GridSearchCV, RandomizedSearchCV, Halving*SearchCV (best_estimator_), SelfTrainingClassifier
    selectors,  # VarianceThreshold, SelectKBest, SelectFromModel, ...
    semi_supervised,  # LabelPropagation, LabelSpreading (rbf kernel)
    svm,  # SVC, NuSVC, SVR, NuSVR, OneClassSVM (kernel SVMs)
    thresholds,  # FixedThresholdClassifier, TunedThresholdClassifierCV
    transforms,  # Normalizer, Binarizer, PowerTransformer, QuantileTransformer, FunctionTransformer
    trees,  # DecisionTree*, ExtraTree*, RandomForest*, ExtraTrees*
)

__all__ = ["registry", "assemble", "predict", "transform", "supported_estimators", "supported_classes"]
